/** `paddock image ls|show|rm|create|pull|search`: thin mappings onto /api/v1/images… (`image build` is in maintenance.ts). */
import type { Command } from 'commander';
import { ErrorCode, type ImageDetailView, type ImageView, PaddockError, STACKS } from '../../app/light.ts';
import { call, ndjson } from '../client.ts';
import { info, out } from '../context.ts';
import { age, humanBytes, paint, safe, table } from '../format.ts';
import { withExamples } from '../help.ts';
import { printJson } from '../json.ts';

const name = (n: string) => encodeURIComponent(n);
const collect = (v: string, prev: string[]) => [...prev, v];

/** Reads a build's NDJSON stream: progress to stderr (dimmed), the outcome returned, an error thrown as the daemon said it. */
export async function followBuild<T>(method: string, path: string, body: unknown): Promise<T> {
  let done: T | undefined;
  for await (const m of ndjson(method, path, body)) {
    if (typeof m.progress === 'string') info(paint('dim', `  ${safe(m.progress)}`, process.stderr));
    else if (m.done) done = m.done as T;
    else if (m.error) {
      const e = m.error as { code: ErrorCode; message: string; hint?: string };
      throw new PaddockError(Object.values(ErrorCode).includes(e.code) ? e.code : ErrorCode.Internal, e.message, e.hint ? { hint: e.hint } : {});
    }
  }
  if (done === undefined) throw new PaddockError(ErrorCode.DaemonUnavailable, 'the image build ended without an outcome (did the daemon stop?)', { hint: 'see paddock daemon logs' });
  return done;
}

export function registerImageSubcommands(image: Command): void {
  const ls = image
    .command('ls')
    .summary('list local images, with which are agent-ready')
    .description(
      'Every tagged image in the engine, one line per name. Agent-ready ones come first: they carry the\n' +
        'agent CLI (the agent image, the stacks, images made by `image create`); then the others, by name.\n' +
        'STACK is the stack an image is or was made from (base: the agent image); RUNS counts live runs using it.',
    )
    .option('--json', 'as JSON: ref, id, size, created, paddock, agentReady, stack, tools, default, compatibilityRank, liveRuns')
    .action(async (o: { json?: boolean }) => {
      const { images } = await call<{ images: ImageView[] }>('GET', '/api/v1/images');
      if (o.json) return printJson(images);
      if (images.length === 0) return info('no images (paddock image build makes the agent image)');
      out(
        table([
          ['NAME', 'AGENT', 'STACK', 'SIZE', 'CREATED', 'RUNS', 'TOOLS'].map((h) => paint('bold', h)),
          ...images.map((i) => [
            safe(i.ref) + (i.default ? paint('dim', ' (default)') : ''),
            i.agentReady ? paint('green', 'ready') : i.compatible ? paint('dim', 'glibc') : paint('yellow', 'musl'),
            safe(i.stack ?? '-'),
            humanBytes(i.size),
            i.created ? age(i.created) : '-',
            String(i.liveRuns),
            paint('dim', safe(i.tools.join(',') || '-')),
          ]),
        ]),
      );
    });
  withExamples(ls, ['paddock image ls', "paddock image ls --json | jq -r '.[] | select(.agentReady) | .ref'"]);

  const show = image
    .command('show')
    .summary("one image's detail: labels, rank, tools, what image create installed")
    .argument('<name>', 'image name or id')
    .option('--json', 'as JSON')
    .action(async (n: string, o: { json?: boolean }) => {
      const d = await call<ImageDetailView>('GET', `/api/v1/images/${name(n)}`);
      if (o.json) return printJson(d);
      out(`${paint('bold', safe(d.ref))}  ${paint('dim', safe(d.id))}`);
      out(`  ${d.agentReady ? 'agent-ready' : 'no agent CLI'} · ${safe(d.rankDescription)} · ${humanBytes(d.size)}${d.stack ? ` · stack ${safe(d.stack)}` : ''}`);
      if (d.tools.length) out(`  tools: ${safe(d.tools.join(', '))}`);
      if (d.packages) for (const k of ['apt', 'npm', 'pip'] as const) if (d.packages[k].length) out(`  ${k}: ${safe(d.packages[k].join(' '))}`);
      if (d.liveRuns) out(`  used by ${d.liveRuns} live run${d.liveRuns === 1 ? '' : 's'}`);
    });
  withExamples(show, ['paddock image show localhost/paddock-python:latest', 'paddock image show localhost/paddock-team:1 --json']);

  const rm = image
    .command('rm')
    .summary('remove an image (refused while a live run uses it)')
    .argument('<name>', 'image name or id')
    .option('--force', 'also the default agent image (PADDOCK_IMAGE)')
    .option('--json', 'the outcome as JSON (removed, id)')
    .action(async (n: string, o: { force?: boolean; json?: boolean }) => {
      const r = await call<{ removed: string; id: string }>('DELETE', `/api/v1/images/${name(n)}${o.force ? '?force=true' : ''}`);
      if (o.json) return printJson(r);
      info(`removed ${safe(r.removed)}`);
    });
  withExamples(rm, ['paddock image rm localhost/paddock-team:1', 'paddock image rm localhost/paddock-agent:latest --force']);

  const create = image
    .command('create')
    .summary('a new agent image: a stack plus packages, usable at once as spawn --image NAME')
    .description(
      `A new agent image FROM a stack (${STACKS.join(', ')}) or the agent image (base),\n` +
        'with Debian packages (--apt), global npm packages (--npm; install scripts are not run) and pip\n' +
        'packages (--pip; wheels only), each flag repeatable. The stack is built first when missing.\n' +
        'NAME must pass PADDOCK_IMAGE_ALLOW (default: localhost/paddock-*), so that `spawn --image NAME`\n' +
        'can use it. Package names are plain names with an optional version: no options, paths, URLs or\n' +
        'git references. An image whose recipe is unchanged is not rebuilt (--force rebuilds it).',
    )
    .argument('<name>', 'the new image, e.g. localhost/paddock-team:1')
    .option('--from <stack>', `base or a stack: ${STACKS.join(', ')}`, 'base')
    .option('--apt <pkg>', "a package from Debian's mirror (repeatable)", collect, [])
    .option('--npm <pkg>', 'a global npm package (repeatable)', collect, [])
    .option('--pip <pkg>', 'a pip package (repeatable; needs a reachable PyPI)', collect, [])
    .option('--force', 'rebuild even if it is up to date')
    .option('--json', 'the outcome as JSON (tag, from, built, seconds); build progress stays on stderr')
    .action(async (n: string, o: { from: string; apt: string[]; npm: string[]; pip: string[]; force?: boolean; json?: boolean }) => {
      const started = Date.now();
      const r = await followBuild<{ tag: string; from: string; built: boolean }>('POST', '/api/v1/images/create', {
        name: n,
        from: o.from,
        apt: o.apt,
        npm: o.npm,
        pip: o.pip,
        force: Boolean(o.force),
      });
      const seconds = Number(((Date.now() - started) / 1000).toFixed(1));
      if (o.json) return printJson({ ...r, seconds });
      if (r.built) info(`built ${safe(r.tag)} FROM ${safe(r.from)} in ${seconds.toFixed(1)} s; use it: paddock spawn --image ${safe(r.tag)} …`);
    });
  withExamples(create, [
    'paddock image create localhost/paddock-jq --apt jq',
    'paddock image create localhost/paddock-web:1 --from node --npm prettier --npm eslint@9',
    'paddock image create localhost/paddock-data --from python --apt python3-pandas --json',
  ]);

  const pull = image
    .command('pull')
    .summary('pull an image through the engine (fails plainly when no registry is reachable)')
    .argument('<image>', 'e.g. python:3.12 or registry.example:5000/team/tool:1')
    .option('--platform <os/arch>', 'e.g. linux/amd64')
    .option('--json', 'as JSON (image, id)')
    .action(async (ref: string, o: { platform?: string; json?: boolean }) => {
      const r = await call<{ image: string; id: string }>('POST', '/api/v1/images/pull', { image: ref, ...(o.platform ? { platform: o.platform } : {}) });
      if (o.json) return printJson(r);
      info(`pulled ${safe(r.image)} (${safe(r.id)})`);
    });
  withExamples(pull, ['paddock image pull python:3.12']);

  const search = image
    .command('search')
    .summary('search a registry through the engine')
    .argument('<term>', 'a word, or registry:port/name')
    .option('--limit <n>', 'at most this many results (1-100)', '25')
    .option('--json', 'as JSON')
    .action(async (term: string, o: { limit: string; json?: boolean }) => {
      const { results } = await call<{ results: { name: string; description: string; stars: number; official: boolean }[] }>(
        'GET',
        `/api/v1/images/search?q=${encodeURIComponent(term)}&limit=${encodeURIComponent(o.limit)}`,
      );
      if (o.json) return printJson(results);
      out(table(results.map((r) => [safe(r.name), String(r.stars), r.official ? 'official' : '', paint('dim', safe(r.description))])));
    });
  withExamples(search, ['paddock image search python --limit 5']);
}
