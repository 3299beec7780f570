import type { Command } from 'commander';
import { buildImage, doctor, gc, reconcile } from '../../app/index.ts';
import { paddock, info, out } from '../context.ts';
import { paint, table } from '../format.ts';

export function registerMaintenanceCommands(program: Command): void {
  program
    .command('gc')
    .summary('remove what finished runs left behind')
    .description('Removes finished containers, checkouts of merged runs, of runs whose branch was deleted and of explore\nruns, and anything labelled by this Paddock that no run owns. Active runs and unlabelled things are never touched.')
    .option('-n, --dry-run', 'only list what would be removed')
    .option('--sessions', 'also remove agent session homes with no active run (they can no longer be resumed)')
    .action(async (o: { dryRun?: boolean; sessions?: boolean }) => {
      const p = paddock();
      await reconcile(p, { supervision: 'detached' });
      const items = await gc(p, { dryRun: Boolean(o.dryRun), sessions: Boolean(o.sessions) });
      if (items.length === 0) return info('nothing to remove');
      out(table(items.map((i) => [o.dryRun ? 'would remove' : 'removed', i.kind, i.name, paint('dim', i.why)])));
    });

  program
    .command('doctor')
    .summary('check the machine: engine, image, disk, credentials')
    .option('--json', 'as JSON')
    .action(async (o: { json?: boolean }) => {
      const checks = await doctor(paddock());
      if (o.json) out(JSON.stringify(checks, null, 2));
      else {
        for (const c of checks) {
          const mark = c.status === 'ok' ? paint('green', '✔') : c.status === 'warn' ? paint('yellow', '!') : paint('red', '✘');
          out(`${mark} ${paint('bold', c.name)}: ${c.detail}${c.fix ? `\n    fix: ${c.fix}` : ''}`);
        }
      }
      if (checks.some((c) => c.status === 'fail')) process.exitCode = 1;
    });

  const image = program.command('image').summary('manage the agent image');
  image
    .command('build')
    .summary('build the agent image (bootstraps the base and fetches the Claude Code CLI when missing; skips an up-to-date image)')
    .option('--tag <name>', 'image name (default PADDOCK_IMAGE)')
    .option('--force', 'rebuild even if the image is up to date')
    .action(async (o: { tag?: string; force?: boolean }) => {
      const started = Date.now();
      const { tag, built } = await buildImage(paddock(), (line) => info(paint('dim', `  ${line.trimEnd()}`, process.stderr)), { ...(o.tag ? { tag: o.tag } : {}), force: Boolean(o.force) });
      if (built) info(`built ${tag} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });
}
