import type { Command } from 'commander';
import { type Check, type GcItem, PaddockError, ErrorCode, parseDuration, STACKS } from '../../app/light.ts';
import { call, ndjson } from '../client.ts';
import { info, out } from '../context.ts';
import { humanBytes, paint, safe, table } from '../format.ts';
import { withExamples } from '../help.ts';
import { printJson } from '../json.ts';
import { registerImageSubcommands } from './images.ts';

export function registerMaintenanceCommands(program: Command): void {
  const gcCmd = program
    .command('gc')
    .summary('remove what finished runs left behind')
    .description(
      'Removes finished containers, checkouts of merged runs, of runs whose branch was deleted and of explore\n' +
        'runs, and anything labelled by this Paddock that no run owns. Active runs and unlabelled things are never\n' +
        'touched. With --merged, also deletes run branches already merged into their base: only branches this\n' +
        'Paddock made for a run (not ones a run reused), still where the run left them and checked out nowhere.\n' +
        'With --older-than, also removes finished runs that ended longer ago than that: checkout, logs and record\n' +
        '(their branches stay). Each item is listed with its size on disk where it has one.',
    )
    .option('-n, --dry-run', 'only list what would be removed (and how much space it takes)')
    .option('--sessions', 'also remove agent session homes with no active run (they can no longer be resumed)')
    .option('--merged', 'also delete run branches already merged into their base')
    .option('--older-than <duration>', 'also remove finished runs that ended longer ago than this, e.g. 7d, 12h')
    .option('--json', 'the items as JSON: kind, name, why, bytes; and the total')
    .action(async (o: { dryRun?: boolean; sessions?: boolean; merged?: boolean; olderThan?: string; json?: boolean }) => {
      if (o.olderThan !== undefined) parseDuration(o.olderThan, '--older-than'); // a bad value is said here, naming the flag
      const { items } = await call<{ items: GcItem[] }>('POST', '/api/v1/gc', {
        dryRun: Boolean(o.dryRun),
        sessions: Boolean(o.sessions),
        merged: Boolean(o.merged),
        ...(o.olderThan === undefined ? {} : { olderThan: o.olderThan }),
      });
      const totalBytes = items.reduce((n, i) => n + (i.bytes ?? 0), 0);
      if (o.json) return printJson({ dryRun: Boolean(o.dryRun), items, totalBytes });
      if (items.length === 0) return info('nothing to remove');
      out(table(items.map((i) => [o.dryRun ? 'would remove' : 'removed', i.kind, safe(i.name), i.bytes === undefined ? '' : humanBytes(i.bytes), paint('dim', safe(i.why))])));
      if (totalBytes > 0) info(`${o.dryRun ? 'would free' : 'freed'} ${humanBytes(totalBytes)} on disk`);
    });
  withExamples(gcCmd, [
    'paddock gc --dry-run                       # what would go, with sizes',
    'paddock gc --merged                        # also delete merged run branches',
    'paddock gc --older-than 7d --sessions      # also forget runs that ended over a week ago',
  ]);

  const doctorCmd = program
    .command('doctor')
    .summary('check the machine: engine, image, disk, credentials')
    .description(
      'Check what Paddock needs: Node, git, the container engine, the agent and base images, disk space, credentials\nand the model endpoint. Each failure comes with its fix; exits 1 if a check failed.',
    )
    .option('--json', 'as JSON')
    .action(async (o: { json?: boolean }) => {
      const { checks } = await call<{ checks: Check[] }>('GET', '/api/v1/doctor');
      if (o.json) printJson(checks);
      else {
        for (const c of checks) {
          const mark = c.status === 'ok' ? paint('green', '✔') : c.status === 'warn' ? paint('yellow', '!') : paint('red', '✘');
          out(`${mark} ${paint('bold', c.name)}: ${c.detail}${c.fix ? `\n    fix: ${c.fix}` : ''}`);
        }
      }
      if (checks.some((c) => c.status === 'fail')) process.exitCode = 1;
    });
  withExamples(doctorCmd, ['paddock doctor', 'paddock doctor --json | jq \'.[] | select(.status != "ok")\'']);

  const image = program.command('image').summary('manage images: the agent image, stacks, custom agent images');
  withExamples(image, ['paddock image build', 'paddock image build python', 'paddock image ls', 'paddock image create localhost/paddock-jq --apt jq']);
  const build = image
    .command('build')
    .summary('build the agent image, and stack images FROM it (skips an up-to-date image)')
    .description(
      'Builds the agent image (bootstrapping the base and fetching the Claude Code CLI when missing),\n' +
        `then each stack named (${STACKS.join(', ')}; --all for every one) FROM it, as\n` +
        'localhost/paddock-<stack>:latest. An image whose recipe is unchanged is not rebuilt; --force\n' +
        'rebuilds (the stacks named, or the agent image alone).',
    )
    .argument('[stacks...]', `stack images to build too: ${STACKS.join(', ')}`)
    .option('--all', 'every stack image')
    .option('--tag <name>', 'image name of the agent image (default PADDOCK_IMAGE; not with stacks)')
    .option('--force', 'rebuild even if the image is up to date')
    .option('--json', 'the outcome as JSON (tag, built, seconds, and images with stacks); build progress stays on stderr')
    .action(async (stacks: string[], o: { all?: boolean; tag?: string; force?: boolean; json?: boolean }) => {
      const started = Date.now();
      let done: { tag: string; built: boolean; images?: { tag: string; built: boolean; ms: number }[] } | undefined;
      const wanted = o.all ? { all: true } : stacks.length ? { stacks } : {};
      for await (const m of ndjson('POST', '/api/v1/images/build', { ...(o.tag ? { tag: o.tag } : {}), force: Boolean(o.force), ...wanted })) {
        if (typeof m.progress === 'string') info(paint('dim', `  ${m.progress}`, process.stderr));
        else if (m.done) done = m.done as typeof done;
        else if (m.error) {
          const e = m.error as { code: ErrorCode; message: string; hint?: string };
          throw new PaddockError(Object.values(ErrorCode).includes(e.code) ? e.code : ErrorCode.Internal, e.message, e.hint ? { hint: e.hint } : {});
        }
      }
      if (!done) throw new PaddockError(ErrorCode.DaemonUnavailable, 'the image build ended without an outcome (did the daemon stop?)', { hint: 'see paddock daemon logs' });
      const { tag, built } = done;
      const seconds = Number(((Date.now() - started) / 1000).toFixed(1));
      if (o.json) return printJson({ tag, built, seconds, ...(done.images ? { images: done.images } : {}) });
      for (const i of done.images ?? []) if (i.built) info(`built ${i.tag} in ${(i.ms / 1000).toFixed(1)} s`);
      if (built && !done.images) info(`built ${tag} in ${seconds.toFixed(1)} s`); // an up-to-date image was said by the progress
    });
  withExamples(build, [
    'paddock image build',
    'paddock image build python node',
    'paddock image build --all --json',
    'paddock image build --force --json',
    'paddock image build --tag localhost/paddock-agent:dev',
  ]);
  registerImageSubcommands(image); // ls, show, rm, create, pull, search (src/cli/commands/images.ts)
}
