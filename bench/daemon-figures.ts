/**
 * The daemon's figures of the spawn benchmark (bench/spawn.bench.ts calls these), each with its goal:
 * - `paddock ls` (a real process, asking the home's running daemon) vs `docker ps` against the same engine socket
 *   (the docker CLI; `podman ps` when there is none): median of BENCH_LS_N (default 10), alternating. Goal ≤ 2×.
 * - The daemon's resident memory with 16 idle runs: a fresh `paddock serve` (PADDOCK_MAX_RUNNING=16) given 16
 *   persistent runs (keepAlive) over its API, measured once all are idle (their containers live, the agents wait for a
 *   message), from /proc; against the same daemon with no run, and a bare `node` process as the raw baseline.
 *   Goal ≤ 150 MB. If persistent runs cannot be had (refused, or not idle in time), 16 live runs each waiting in a long
 *   tool call (the scripted model's `slow` script) stand in, and the report says so.
 * - The goal of `paddock spawn` → agent started (≤ 1.2× the bare create + start), measured by the benchmark itself.
 */
import { execFile as execFileCb, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gc, loadConfig, openPaddock } from '../src/app/index.ts';

const execFile = promisify(execFileCb);
const median = (xs: number[]) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const mb = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MB`;
const msText = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(0)} ms`);
const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');

export const GOALS = { agentStartedRatio: 1.2, lsRatio: 2, idleRssBytes: 150 * 1024 ** 2 } as const;

export interface DaemonFigures {
  ls: { paddockMs: number; baselineMs: number; baselineCli: string; ratio: number; goalRatio: number; samples: { paddock: number[]; baseline: number[] } };
  rss: {
    runs: number;
    kind: 'idle persistent runs' | 'live runs waiting in a long tool call (persistent runs could not be had)';
    why?: string;
    daemonBytes: number;
    daemonNoRunsBytes: number;
    bareNodeBytes: number;
    perRunBytes: number;
    ratioToBareNode: number;
    goalBytes: number;
  };
}

export interface FigureOptions {
  bin: string;
  /** The environment of the CLI runs (its home's daemon is running and holds the benchmark's runs). */
  cliEnv: NodeJS.ProcessEnv;
  socket: string;
  repo: string;
  scratch: string;
}

export async function measureDaemonFigures(o: FigureOptions): Promise<DaemonFigures> {
  return { ls: await lsVsPs(o), rss: await idleRss(o) };
}

async function timed(file: string, args: string[], env?: NodeJS.ProcessEnv): Promise<number> {
  const t0 = performance.now();
  await execFile(file, args, { ...(env ? { env } : {}), maxBuffer: 16 << 20 });
  return performance.now() - t0;
}

async function lsVsPs(o: FigureOptions): Promise<DaemonFigures['ls']> {
  const n = Number(process.env.BENCH_LS_N ?? 10);
  const hasDocker = await execFile('docker', ['--version']).then(
    () => true,
    () => false,
  );
  const [cli, ...pre] = hasDocker ? ['docker', '-H', `unix://${o.socket}`] : ['podman', '--url', `unix://${o.socket}`];
  const ps = () => timed(cli!, [...pre, 'ps']);
  const ls = () => timed(process.execPath, [o.bin, 'ls'], o.cliEnv);
  await ls();
  await ps();
  const paddock: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 2) baseline.push(await ps());
    paddock.push(await ls());
    if (!(i % 2)) baseline.push(await ps());
  }
  const paddockMs = median(paddock);
  const baselineMs = median(baseline);
  return { paddockMs, baselineMs, baselineCli: `${[cli, ...pre].join(' ')} ps`, ratio: paddockMs / baselineMs, goalRatio: GOALS.lsRatio, samples: { paddock, baseline } };
}

function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

async function sampledRss(pid: number): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < 5; i++) {
    xs.push(rssOf(pid));
    await sleep(1000);
  }
  return median(xs);
}

async function idleRss(o: FigureOptions): Promise<DaemonFigures['rss']> {
  const RUNS = 16;
  const home = mkdtempSync(join(o.scratch, 'rss-home-'));
  const env: NodeJS.ProcessEnv = { ...o.cliEnv, PADDOCK_HOME: home, PADDOCK_MAX_RUNNING: String(RUNS) };
  let out = '';
  const child: ChildProcess = spawn(process.execPath, [o.bin, 'serve', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (out += d));
  let url = '';
  for (let i = 0; i < 600 && !url; i++) {
    if (child.exitCode !== null) throw new Error(`paddock serve exited ${child.exitCode}:\n${out}`);
    try {
      const r = JSON.parse(readFileSync(join(home, 'daemon.json'), 'utf8')) as { pid: number; tcp: string | null };
      if (r.pid === child.pid && r.tcp) url = `http://${r.tcp}`;
    } catch {
      /* not yet */
    }
    if (!url) await sleep(100);
  }
  if (!url) throw new Error(`paddock serve did not listen:\n${out}`);
  const api = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${url}${path}`, { method, ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
    return { status: res.status, body: await res.json().catch(() => null) };
  };
  const ids: string[] = [];
  try {
    // The same daemon with nothing to do: after start, a list and a scrape.
    await api('GET', '/api/v1/runs');
    await api('GET', '/metrics');
    const daemonNoRunsBytes = await sampledRss(child.pid!);

    let kind: DaemonFigures['rss']['kind'] = 'idle persistent runs';
    let why: string | undefined;
    const stopAll = async () => {
      for (const id of ids.splice(0)) await api('POST', `/api/v1/runs/${id}/stop`, {});
    };
    const waitAll = async (ok: (run: any, events: any[]) => boolean, ms: number): Promise<string | undefined> => {
      const deadline = Date.now() + ms;
      for (;;) {
        let ready = 0;
        for (const id of ids) {
          const run = (await api('GET', `/api/v1/runs/${id}`)).body?.run;
          if (!run || ['completed', 'failed', 'cancelled', 'timed_out', 'crashed'].includes(run.state)) return `run ${id} ended ${run?.state}: ${run?.reason ?? ''}`;
          const events = (await api('GET', `/api/v1/runs/${id}/events?limit=10000`)).body?.events ?? [];
          if (ok(run, events)) ready++;
        }
        if (ready === ids.length) return undefined;
        if (Date.now() > deadline) return `${ready} of ${ids.length} ready after ${ms / 1000} s`;
        await sleep(2000);
      }
    };

    for (let i = 0; i < RUNS && !why; i++) {
      const r = await api('POST', '/api/v1/runs', { repo: o.repo, task: 'Say hello, then wait for the next message. [[script:hello]]', branch: `bench/idle-${i}-${Date.now()}`, keepAlive: true });
      if (r.status !== 201) why = `keepAlive spawn refused: HTTP ${r.status} ${JSON.stringify(r.body)}`;
      else ids.push(r.body.id as string);
    }
    why ??= await waitAll((run) => run.state === 'idle', 300_000);
    if (why) {
      kind = 'live runs waiting in a long tool call (persistent runs could not be had)';
      await stopAll();
      for (let i = 0; i < RUNS; i++) {
        const r = await api('POST', '/api/v1/runs', { repo: o.repo, task: 'Wait [[script:slow 900]]', branch: `bench/slow-${i}-${Date.now()}` });
        if (r.status !== 201) throw new Error(`spawn refused: ${JSON.stringify(r.body)}`);
        ids.push(r.body.id as string);
      }
      const slow = await waitAll((run, events) => run.state === 'running' && events.some((e: { kind: string }) => e.kind === 'tool_use'), 300_000);
      if (slow) throw new Error(`the stand-in runs did not settle: ${slow}`);
    }
    await sleep(3000); // let the last turn's garbage settle
    const daemonBytes = await sampledRss(child.pid!);

    const bare = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await sleep(1500);
    const bareNodeBytes = rssOf(bare.pid!);
    bare.kill();

    await stopAll();
    return {
      runs: RUNS,
      kind,
      ...(why ? { why } : {}),
      daemonBytes,
      daemonNoRunsBytes,
      bareNodeBytes,
      perRunBytes: (daemonBytes - daemonNoRunsBytes) / RUNS,
      ratioToBareNode: daemonBytes / bareNodeBytes,
      goalBytes: GOALS.idleRssBytes,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    const p = openPaddock(loadConfig(env));
    await gc(p, { sessions: true }).catch(() => {});
    await p.close();
  }
}

export function printDaemonFigures(f: DaemonFigures, agentStartedRatio: number): void {
  console.log('\n  the daemon, against the goals:');
  console.log(
    `    paddock spawn → agent started       ${agentStartedRatio.toFixed(1)}× the bare create + start   goal ≤ ${GOALS.agentStartedRatio}×: ${verdict(agentStartedRatio <= GOALS.agentStartedRatio)}`,
  );
  console.log(
    `    paddock ls                          ${msText(f.ls.paddockMs).padStart(8)} vs ${msText(f.ls.baselineMs)} \`${f.ls.baselineCli}\`   ${f.ls.ratio.toFixed(1)}×   goal ≤ ${f.ls.goalRatio}×: ${verdict(f.ls.ratio <= f.ls.goalRatio)}`,
  );
  console.log(`    daemon RSS with ${f.rss.runs} ${f.rss.kind}: ${mb(f.rss.daemonBytes)}   goal ≤ ${mb(f.rss.goalBytes)}: ${verdict(f.rss.daemonBytes <= f.rss.goalBytes)}`);
  console.log(
    `      the same daemon with no run ${mb(f.rss.daemonNoRunsBytes)} (${mb(f.rss.perRunBytes)} per run), a bare node process ${mb(f.rss.bareNodeBytes)} (${f.rss.ratioToBareNode.toFixed(1)}×)`,
  );
  if (f.rss.why) console.log(`      (why the stand-in: ${f.rss.why})`);
}
