/**
 * Workspace benchmark: on a 20k-file repository (generated once, cached under /tmp), warm, median of N runs,
 * raw and Paddock interleaved so both see the same machine load:
 *   - create:     `git worktree add`                 vs createRunCheckout (clone --shared + checkout + config + chown)
 *                 (and the same worktree add with parallel checkout, which createRunCheckout's checkout uses)
 *   - bring back: `git fetch <clone> <branch>`       vs finalizeRunCheckout's bring-back step (lock + fsck'd fetch + check)
 *   - finalize:   `git fetch <clone> <branch>`       vs the whole finalizeRunCheckout (chown back, rebuild .git, commit leftovers, fetch)
 * Prints a table with ratios (paddock/raw) and writes bench/results/workspace.json.
 *
 *   node bench/workspace.bench.ts [--runs N]
 */
import { execFile as execFileCb } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createRunCheckout, finalizeRunCheckout, gitVersion, removeCheckout } from '../src/workspace/index.ts';

const execFile = promisify(execFileCb);
const FILES = 20_000;
const CACHE = '/tmp/paddock-bench-workspace-20k';
const REPO = path.join(CACHE, 'repo');
const READY = path.join(CACHE, `ready-v1-${FILES}`);
const runsArg = process.argv.indexOf('--runs');
const RUNS = Math.max(5, runsArg > 0 ? Number(process.argv[runsArg + 1]) : 7);
const isRoot = process.getuid?.() === 0;
const AGENT = isRoot ? { uid: 1000, gid: 1000 } : {};

const ENV = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: CACHE,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'Bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
};

async function git(cwd: string, args: string[], asAgent = false): Promise<string> {
  const { stdout } = await execFile('git', args, { cwd, env: asAgent ? { ...ENV, HOME: '/tmp' } : ENV, maxBuffer: 64 * 1024 * 1024, ...(asAgent ? AGENT : {}) });
  return stdout;
}

/** Realistic small source files in nested dirs: 25 packages × 16 modules × 50 files, a few hundred bytes to ~2 KB each. */
async function ensureRepo(): Promise<void> {
  if (fs.existsSync(READY)) return;
  fs.rmSync(CACHE, { recursive: true, force: true });
  fs.mkdirSync(REPO, { recursive: true });
  fs.chmodSync(CACHE, 0o755);
  const t0 = performance.now();
  await git(REPO, ['init', '-q', '-b', 'main']);
  let n = 0;
  for (let p = 0; p < 25 && n < FILES; p++) {
    for (let m = 0; m < 16 && n < FILES; m++) {
      const dir = path.join(REPO, 'packages', `pkg-${p}`, 'src', m % 2 === 0 ? 'core' : 'util', `module-${m}`);
      fs.mkdirSync(dir, { recursive: true });
      for (let f = 0; f < 50 && n < FILES; f++, n++) {
        const lines = [`// pkg-${p}/module-${m}/file-${f}`, `import { helper${f % 7} } from '../shared/helpers.js';`, ''];
        for (let k = 0; k < 3 + ((n * 7) % 40); k++) lines.push(`export function fn${k}_${n}(x: number): number {`, `  return helper${f % 7}(x) * ${k + 1} + ${n % 97};`, '}', '');
        fs.writeFileSync(path.join(dir, `file-${f}.ts`), lines.join('\n'));
      }
    }
  }
  fs.writeFileSync(path.join(REPO, 'README.md'), '# bench repo\n');
  await git(REPO, ['add', '-A']);
  await git(REPO, ['commit', '-q', '-m', `${FILES} files`]);
  fs.writeFileSync(READY, new Date().toISOString());
  console.log(`generated ${n} files in ${((performance.now() - t0) / 1000).toFixed(1)} s at ${REPO}`);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Runs both measurements, alternating which goes first; returns [raw, paddock]. */
async function inOrder(rawFirst: boolean, raw: () => Promise<number>, pad: () => Promise<number>): Promise<[number, number]> {
  if (rawFirst) {
    const r = await raw();
    return [r, await pad()];
  }
  const p = await pad();
  return [await raw(), p];
}

/** The "agent": edits 20 files and adds 5, then commits in its clone (as the container user). */
async function agentWork(dir: string, tag: string, asAgent: boolean): Promise<void> {
  for (let i = 0; i < 20; i++) {
    const f = path.join(dir, 'packages', `pkg-${i}`, 'src', 'core', 'module-0', 'file-0.ts');
    fs.appendFileSync(f, `\n// edited by ${tag}\n`);
  }
  for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(dir, `new-${tag}-${i}.ts`), `export const v = '${tag}-${i}';\n`);
  if (asAgent && isRoot) await execFile('chown', ['-R', '1000:1000', dir]);
  await git(dir, ['add', '-A'], asAgent);
  await git(dir, ['-c', 'user.name=Agent', '-c', 'user.email=agent@example.com', 'commit', '-q', '-m', `work ${tag}`], asAgent);
}

async function main(): Promise<void> {
  await ensureRepo();
  const work = fs.mkdtempSync(path.join(CACHE, 'run-'));
  fs.chmodSync(work, 0o755);
  const home = path.join(work, 'home');
  fs.mkdirSync(home);
  const head = (await git(REPO, ['rev-parse', 'HEAD'])).trim();
  await git(REPO, ['worktree', 'prune']);

  const create = { raw: [] as number[], rawParallel: [] as number[], paddock: [] as number[], clone: [] as number[], checkout: [] as number[], chown: [] as number[] };
  const back = { raw: [] as number[], bringBack: [] as number[], finalize: [] as number[], chown: [] as number[], sanitize: [] as number[], commit: [] as number[] };

  // --- create: worktree add vs createRunCheckout (one untimed warm-up round each)
  for (let i = -1; i < RUNS; i++) {
    const wt = path.join(work, `wt-${i}`);
    const runDir = path.join(work, `create-${i}`);
    const rawFirst = i % 2 === 0;
    const raw = async (): Promise<number> => timed(() => git(REPO, ['worktree', 'add', '-q', '-b', `bench-wt-${i}`, wt, head]));
    const pad = (): Promise<number> =>
      timed(async () => {
        const co = await createRunCheckout({ paddockHome: home, repo: REPO, runDir, branch: `paddock/bench-create-${i}`, baseSha: head, ...AGENT });
        if (i >= 0) {
          create.clone.push(co.timings.cloneMs);
          create.checkout.push(co.timings.checkoutMs);
          create.chown.push(co.timings.chownMs);
        }
      });
    const [r, p] = await inOrder(rawFirst, raw, pad);
    if (i >= 0) {
      create.raw.push(r);
      create.paddock.push(p);
    }
    await git(REPO, ['worktree', 'remove', '--force', wt]);
    await git(REPO, ['branch', '-q', '-D', `bench-wt-${i}`]);
    await removeCheckout(runDir);
    // The same worktree add with parallel checkout (what createRunCheckout's checkout uses), for reference.
    const rp = await timed(() => git(REPO, ['-c', 'checkout.workers=0', 'worktree', 'add', '-q', '-b', `bench-wtp-${i}`, wt, head]));
    if (i >= 0) create.rawParallel.push(rp);
    await git(REPO, ['worktree', 'remove', '--force', wt]);
    await git(REPO, ['branch', '-q', '-D', `bench-wtp-${i}`]);
  }

  // --- bring back: raw fetch of an agent's branch vs finalizeRunCheckout (fresh changes each round)
  for (let i = -1; i < RUNS; i++) {
    const rawDir = path.join(work, `fetch-raw-${i}`);
    const padDir = path.join(work, `fetch-pad-${i}`);
    const rawBranch = `bench-raw-${i}`;
    const padBranch = `paddock/bench-back-${i}`;
    // Untimed setup: two clones with the same kind of agent work committed.
    await git(work, ['clone', '-q', '--shared', '--no-checkout', REPO, path.join(rawDir, 'src')]);
    await git(path.join(rawDir, 'src'), ['checkout', '-q', '-b', rawBranch, head]);
    await agentWork(path.join(rawDir, 'src'), `raw-${i}`, false);
    const co = await createRunCheckout({ paddockHome: home, repo: REPO, runDir: padDir, branch: padBranch, baseSha: head, ...AGENT });
    await agentWork(co.dir, `pad-${i}`, true);

    const raw = (): Promise<number> => timed(() => git(REPO, ['fetch', '-q', '--no-write-fetch-head', path.join(rawDir, 'src', '.git'), `+refs/heads/${rawBranch}:refs/heads/${rawBranch}`]));
    let fin: Awaited<ReturnType<typeof finalizeRunCheckout>> | undefined;
    const pad = (): Promise<number> =>
      timed(async () => {
        fin = await finalizeRunCheckout({ paddockHome: home, repo: REPO, runDir: padDir, bringBack: true });
      });
    const [r, p] = await inOrder(i % 2 === 0, raw, pad);
    if (fin === undefined || fin.commitsAhead !== 1) throw new Error('finalize did not bring back the agent commit');
    if (i >= 0) {
      back.raw.push(r);
      back.finalize.push(p);
      back.bringBack.push(fin.timings.bringBackMs);
      back.chown.push(fin.timings.chownMs);
      back.sanitize.push(fin.timings.sanitizeMs);
      back.commit.push(fin.timings.commitMs);
    }
    await git(REPO, ['branch', '-q', '-D', rawBranch, padBranch]);
    fs.rmSync(rawDir, { recursive: true, force: true });
    await removeCheckout(padDir);
  }
  fs.rmSync(work, { recursive: true, force: true });

  const round = (x: number): number => Math.round(x * 10) / 10;
  const rows = [
    { op: 'create: worktree add vs createRunCheckout', raw: median(create.raw), paddock: median(create.paddock) },
    { op: 'create: worktree add (checkout.workers=0) vs createRunCheckout', raw: median(create.rawParallel), paddock: median(create.paddock) },
    { op: 'bring back: git fetch vs finalize bring-back step', raw: median(back.raw), paddock: median(back.bringBack) },
    { op: 'finalize total vs git fetch', raw: median(back.raw), paddock: median(back.finalize) },
  ].map((r) => ({ ...r, raw: round(r.raw), paddock: round(r.paddock), ratio: Math.round((r.paddock / r.raw) * 100) / 100 }));
  const breakdown = {
    create: { cloneMs: round(median(create.clone)), checkoutMs: round(median(create.checkout)), chownMs: round(median(create.chown)) },
    finalize: { chownMs: round(median(back.chown)), sanitizeMs: round(median(back.sanitize)), commitMs: round(median(back.commit)), bringBackMs: round(median(back.bringBack)) },
  };

  const w = Math.max(...rows.map((r) => r.op.length));
  console.log(`\nworkspace benchmark: ${FILES} files, median of ${RUNS} warm runs, ${os.cpus().length} cores, git ${await gitVersion()}${isRoot ? ', chown to UID 1000' : ''}\n`);
  console.log(`${'operation'.padEnd(w)}  ${'raw ms'.padStart(8)}  ${'paddock ms'.padStart(10)}  ${'ratio'.padStart(6)}`);
  for (const r of rows) console.log(`${r.op.padEnd(w)}  ${r.raw.toFixed(1).padStart(8)}  ${r.paddock.toFixed(1).padStart(10)}  ${r.ratio.toFixed(2).padStart(6)}`);
  console.log(`\ncreate breakdown (ms):   clone ${breakdown.create.cloneMs}, checkout ${breakdown.create.checkoutMs}, chown ${breakdown.create.chownMs}`);
  console.log(
    `finalize breakdown (ms): chown ${breakdown.finalize.chownMs}, rebuild .git ${breakdown.finalize.sanitizeMs}, commit leftovers ${breakdown.finalize.commitMs}, bring back ${breakdown.finalize.bringBackMs}`,
  );

  const out = {
    benchmark: 'workspace',
    date: new Date().toISOString(),
    gitVersion: await gitVersion(),
    node: process.version,
    machine: { cores: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30), loadavg: os.loadavg().map(round) },
    repo: { files: FILES, path: REPO },
    runs: RUNS,
    chownToAgent: isRoot,
    results: rows,
    breakdown,
    samples: { create, back },
  };
  const dir = path.join(import.meta.dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'workspace.json'), `${JSON.stringify(out, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(process.cwd(), path.join(dir, 'workspace.json'))}`);
}

await main();
