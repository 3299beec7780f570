/**
 * npm run bench -- api
 *
 * A real `paddock serve` (node bin/paddock.js, its own PADDOCK_HOME holding 50 finished runs put in with the store,
 * the scripted model behind the relay, the real engine), measured from this process over loopback TCP:
 * 1. Throughput and p99 latency with autocannon (BENCH_CONNECTIONS connections, default 10, for BENCH_DURATION s,
 *    default 10, each after a 2 s warm-up) of `GET /api/v1/runs` (Paddock's list, what `paddock ls` asks for) and
 *    `GET /jobs` (the Stromboli-compatible list), against the raw baseline on the same server: `GET /api/v1/ping`,
 *    a route that answers at once through the same middleware (request id, guards, metrics), measured before and
 *    after (their mean is the baseline).
 * 2. SSE fan-out: 100 subscribers of one live run's `GET /api/v1/runs/{id}/events/stream` (the run waits in a tool call
 *    while they connect); the delay from an event being stored (its ts) to its arrival at each subscriber, p99 over
 *    the 100, for the first event after all are connected (the tool's result, read from the container's log by the
 *    daemon). Baseline: the same 100 subscribers of a bare node:http SSE server in a process of its own
 *    (bench/sse-baseline-server.ts) writing one event stamped with its write time. Median over BENCH_ROUNDS rounds
 *    (default 3).
 * Prints ratios (Paddock / raw baseline) and writes bench/results/api.json.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { gc, loadConfig, openPaddock } from '../src/app/index.ts';
import { openDb } from '../src/store/db.ts';
import { RunsRepo } from '../src/store/runs-repo.ts';
import { runRow } from '../test/fixtures/run-row.ts';
import { startScriptedModel } from '../test/fixtures/scripted-model/server.ts';
import { startServe } from './serve.ts';

const SOCKET = process.env.PADDOCK_ENGINE_SOCKET ?? '/run/paddock/podman.sock';
const IMAGE = process.env.PADDOCK_IMAGE ?? 'localhost/paddock-agent:latest';
const BIN = new URL('../bin/paddock.js', import.meta.url).pathname;
const KEY = `sk-bench-${randomBytes(8).toString('hex')}`;
const RUNS = 50;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 100);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const median = (xs: number[]) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
/** Nearest-rank percentile. */
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};
const round = (n: number) => Math.round(n * 100) / 100;
const nowMs = () => performance.timeOrigin + performance.now();

const scratch = mkdtempSync(join(tmpdir(), 'paddock-bench-api-'));
const home = join(scratch, 'home');
mkdirSync(home, { recursive: true, mode: 0o700 });
const repo = join(scratch, 'repo');
mkdirSync(repo);
execFileSync('bash', ['-c', `cd ${repo} && git init -q -b main && echo hi > a.txt && git add -A && git -c user.name=b -c user.email=b@b commit -qm init`]);

// 50 finished runs, as the store keeps them (ended within the last hour, so the default list shows them all).
{
  const db = openDb(join(home, 'paddock.db'));
  const runs = new RunsRepo(db);
  const now = Date.now();
  for (let i = 0; i < RUNS; i++) {
    const id = randomBytes(6).toString('hex');
    const at = now - (i + 1) * 60_000;
    runs.insert(
      runRow(id, {
        createdAt: at,
        updatedAt: at,
        task: `task number ${i}: make the thing do what it should, with tests `.repeat(3),
        repo,
        baseSha: '0'.repeat(40),
        branch: `paddock/bench-${id}`,
        image: IMAGE,
        memoryBytes: 512 * 1024 ** 2,
        pids: 512,
        timeoutMs: 1_800_000,
        sessionId: `00000000-0000-4000-8000-${id}`,
        state: i % 5 === 4 ? 'failed' : 'completed',
        phase: 'done',
        reason: i % 5 === 4 ? 'exit code 1' : 'the agent finished',
        exitCode: i % 5 === 4 ? 1 : 0,
        runDir: join(home, 'runs', id),
        containerName: `paddock-${id}`,
        modelToken: `pdk_${randomBytes(12).toString('hex')}`,
        startedAt: at + 900,
        finishedAt: at + 30_000,
        lastOutputAt: at + 29_000,
        stdoutLines: 40,
        resultText: 'Done: the change is on the branch.',
        numTurns: 6,
        costUsd: 0.0123,
        inputTokens: 21_000,
        outputTokens: 1_800,
        cacheReadTokens: 12_000,
        cacheCreationTokens: 3_000,
        headSha: 'a'.repeat(40),
        commitsAhead: 1,
      }),
    );
  }
  db.close();
}

const model = await startScriptedModel({ apiKey: KEY });
const env: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  LANG: 'C.UTF-8',
  PADDOCK_HOME: home,
  PADDOCK_ENGINE_SOCKET: SOCKET,
  PADDOCK_IMAGE: IMAGE,
  PADDOCK_ANTHROPIC_BASE_URL: model.url,
  PADDOCK_ANTHROPIC_API_KEY: KEY,
  PADDOCK_MAX_RUNNING: '8',
};

const daemon = await startServe(BIN, home, env);
console.log(
  `api benchmark: ${RUNS} runs in the store, ${CONNECTIONS} connections × ${DURATION} s per route, ${SUBSCRIBERS} SSE subscribers × ${ROUNDS} rounds, ${cpus().length} cores, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}, daemon ${daemon.url}`,
);

// ---------------------------------------------------------------------------------------------------------------
// 1. throughput and p99
// ---------------------------------------------------------------------------------------------------------------
interface Load {
  path: string;
  status: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  non2xx: number;
}

async function load(path: string): Promise<Load> {
  const probe = await fetch(`${daemon.url}${path}`);
  const body = await probe.text();
  if (probe.status !== 200) return { path, status: probe.status, rps: NaN, p50Ms: NaN, p99Ms: NaN, requests: 0, errors: 0, non2xx: 0 };
  if (path === '/api/v1/runs' && (JSON.parse(body) as { runs: unknown[] }).runs.length !== RUNS)
    throw new Error(`GET /api/v1/runs listed ${(JSON.parse(body) as { runs: unknown[] }).runs.length} runs, not ${RUNS}`);
  await autocannon({ url: `${daemon.url}${path}`, connections: CONNECTIONS, duration: 2 });
  const r = await autocannon({ url: `${daemon.url}${path}`, connections: CONNECTIONS, duration: DURATION });
  const l = { path, status: 200, rps: r.requests.total / r.duration, p50Ms: r.latency.p50, p99Ms: r.latency.p99, requests: r.requests.total, errors: r.errors, non2xx: r.non2xx };
  console.log(
    `  ${path.padEnd(16)} ${l.rps.toFixed(0).padStart(6)} req/s  p50 ${l.p50Ms.toFixed(1)} ms  p99 ${l.p99Ms.toFixed(1)} ms  (${l.requests} requests, ${l.errors} errors, ${l.non2xx} non-2xx)`,
  );
  return l;
}

const ping1 = await load('/api/v1/ping');
const runsList = await load('/api/v1/runs');
const jobsList = await load('/jobs');
const ping2 = await load('/api/v1/ping');
const baseline = { rps: (ping1.rps + ping2.rps) / 2, p99Ms: (ping1.p99Ms + ping2.p99Ms) / 2, p50Ms: (ping1.p50Ms + ping2.p50Ms) / 2 };

// ---------------------------------------------------------------------------------------------------------------
// 2. SSE fan-out
// ---------------------------------------------------------------------------------------------------------------
interface Subscriber {
  /** seq → arrival (epoch ms, sub-ms) and the event's own ts. */
  got: Map<number, { arrival: number; ts: number }>;
  ready: Promise<void>;
  ended: Promise<void>;
  close(): void;
}

function subscribe(url: string): Subscriber {
  const got = new Map<number, { arrival: number; ts: number }>();
  let ready!: () => void;
  let ended!: () => void;
  const s: Subscriber = { got, ready: new Promise((r) => (ready = r)), ended: new Promise((r) => (ended = r)), close: () => req.destroy() };
  const req = http.get(url, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
    res.setEncoding('utf8');
    let buf = '';
    res.on('data', (chunk: string) => {
      const arrival = nowMs();
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n\n')) !== -1) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        if (event === 'snapshot') ready();
        else if (event === 'end') ended();
        else if (event === 'event') {
          const e = JSON.parse(/^data: (.*)$/m.exec(block)![1]!) as { seq: number; ts: number };
          got.set(e.seq, { arrival, ts: e.ts });
        }
      }
    });
    res.on('end', () => ended());
  });
  req.on('error', () => ended());
  return s;
}

async function daemonJson(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${daemon.url}${path}`, { method, ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  const j = (await res.json()) as unknown;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(j)}`);
  return j;
}

interface FanOut {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  received: number;
  event: string;
}

async function paddockFanOut(r: number): Promise<FanOut> {
  const run = await daemonJson('POST', '/api/v1/runs', { repo, task: `Wait a little [[script:slow 10]]`, branch: `bench/sse-${r}-${Date.now()}` });
  // Connect while the agent waits in its tool call: its tool_use is stored, its result is not yet.
  let after = 0;
  for (let i = 0; ; i++) {
    const page = await daemonJson('GET', `/api/v1/runs/${run.id}/events?limit=10000`);
    const events = page.events as { seq: number; kind: string }[];
    if (events.some((e) => e.kind === 'tool_use')) {
      after = events.at(-1)!.seq;
      break;
    }
    if (page.ended || i > 1200) throw new Error(`run ${run.id} ended or never reached its tool call`);
    await sleep(100);
  }
  const subs = Array.from({ length: SUBSCRIBERS }, () => subscribe(`${daemon.url}/api/v1/runs/${run.id}/events/stream?after=${after}`));
  await Promise.all(subs.map((s) => s.ready));
  const allReady = nowMs();
  await Promise.race([Promise.all(subs.map((s) => s.ended)), sleep(180_000)]);
  for (const s of subs) s.close();
  const page = await daemonJson('GET', `/api/v1/runs/${run.id}/events?after=${after}&limit=10000`);
  // The tool's result: an agent event as the daemon reads it from the container's log (what followers mostly get).
  const after_ = page.events as { seq: number; ts: number; kind: string }[];
  const first = after_.find((e) => e.kind === 'tool_result') ?? after_[0];
  if (!first) throw new Error(`run ${run.id}: no event after ${after}`);
  if (first.ts < allReady) console.log(`    (round ${r}: the first event came ${(allReady - first.ts).toFixed(0)} ms before all subscribers were connected)`);
  const lat = subs
    .map((s) => s.got.get(first.seq))
    .filter((x) => x !== undefined)
    .map((x) => x.arrival - x.ts);
  return { p50Ms: pct(lat, 50), p99Ms: pct(lat, 99), maxMs: Math.max(...lat), received: lat.length, event: first.kind };
}

async function bareFanOut(): Promise<FanOut> {
  const child = spawn(process.execPath, [new URL('./sse-baseline-server.ts', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
  const base = `http://127.0.0.1:${port}`;
  try {
    const subs = Array.from({ length: SUBSCRIBERS }, () => subscribe(`${base}/stream`));
    await Promise.all(subs.map((s) => s.ready));
    while (Number(await (await fetch(`${base}/count`)).text()) < SUBSCRIBERS) await sleep(20);
    await sleep(200);
    await fetch(`${base}/emit`, { method: 'POST' });
    const deadline = Date.now() + 10_000;
    while (subs.some((s) => !s.got.has(1)) && Date.now() < deadline) await sleep(5);
    for (const s of subs) s.close();
    const lat = subs
      .map((s) => s.got.get(1))
      .filter((x) => x !== undefined)
      .map((x) => x.arrival - x.ts);
    return { p50Ms: pct(lat, 50), p99Ms: pct(lat, 99), maxMs: Math.max(...lat), received: lat.length, event: 'event' };
  } finally {
    child.kill();
  }
}

const paddockRounds: FanOut[] = [];
const bareRounds: FanOut[] = [];
for (let r = 0; r < ROUNDS; r++) {
  if (r % 2) bareRounds.push(await bareFanOut());
  paddockRounds.push(await paddockFanOut(r));
  if (!(r % 2)) bareRounds.push(await bareFanOut());
  const p = paddockRounds.at(-1)!;
  const b = bareRounds.at(-1)!;
  console.log(
    `  SSE round ${r + 1}/${ROUNDS}: paddock p99 ${p.p99Ms.toFixed(1)} ms (${p.received}/${SUBSCRIBERS} got the ${p.event}), bare p99 ${b.p99Ms.toFixed(1)} ms (${b.received}/${SUBSCRIBERS})`,
  );
}
const sse = {
  subscribers: SUBSCRIBERS,
  paddock: { p99Ms: median(paddockRounds.map((r) => r.p99Ms)), p50Ms: median(paddockRounds.map((r) => r.p50Ms)), rounds: paddockRounds },
  baseline: { p99Ms: median(bareRounds.map((r) => r.p99Ms)), p50Ms: median(bareRounds.map((r) => r.p50Ms)), rounds: bareRounds },
};

// ---------------------------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------------------------
const x = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) ? `${(a / b).toFixed(2)}×` : 'n/a');
const row = (l: Load) =>
  l.status !== 200
    ? `    GET ${l.path.padEnd(14)} not served: HTTP ${l.status} (not there yet)`
    : `    GET ${l.path.padEnd(14)} ${l.rps.toFixed(0).padStart(6)} req/s ${l.p99Ms.toFixed(1).padStart(6)} ms   throughput ${x(l.rps, baseline.rps)} of the baseline, p99 ${x(l.p99Ms, baseline.p99Ms)}`;
console.log(
  `\n  API against GET /api/v1/ping on the same daemon (${baseline.rps.toFixed(0)} req/s, p99 ${baseline.p99Ms.toFixed(1)} ms), ${CONNECTIONS} connections, ${RUNS} runs stored (no goal set):`,
);
console.log(row(runsList));
console.log(row(jobsList));
console.log(`\n  one event to ${SUBSCRIBERS} SSE subscribers of one run, median of ${ROUNDS} rounds (no goal set):`);
console.log(`    paddock (stored → received)  p99 ${sse.paddock.p99Ms.toFixed(1)} ms, p50 ${sse.paddock.p50Ms.toFixed(1)} ms`);
console.log(`    bare node:http SSE server    p99 ${sse.baseline.p99Ms.toFixed(1)} ms, p50 ${sse.baseline.p50Ms.toFixed(1)} ms`);
console.log(`    ratio (p99)                  ${x(sse.paddock.p99Ms, sse.baseline.p99Ms)}`);

const roundAll = (v: unknown): unknown =>
  typeof v === 'number' ? round(v) : Array.isArray(v) ? v.map(roundAll) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, y]) => [k, roundAll(y)])) : v;
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/api.json', import.meta.url),
  `${JSON.stringify(
    roundAll({
      date: new Date().toISOString(),
      cores: cpus().length,
      loadavg: loadavg(),
      engine: SOCKET,
      runsStored: RUNS,
      connections: CONNECTIONS,
      durationS: DURATION,
      baseline: { route: '/api/v1/ping', ...baseline, before: ping1, after: ping2 },
      routes: {
        '/api/v1/runs': { ...runsList, rpsRatio: runsList.rps / baseline.rps, p99Ratio: runsList.p99Ms / baseline.p99Ms },
        '/jobs': { ...jobsList, rpsRatio: jobsList.rps / baseline.rps, p99Ratio: jobsList.p99Ms / baseline.p99Ms },
      },
      sse: { ...sse, p99Ratio: sse.paddock.p99Ms / sse.baseline.p99Ms },
    }),
    null,
    2,
  )}\n`,
);
console.log('\nwrote bench/results/api.json');

daemon.child.kill('SIGTERM');
await new Promise((r) => daemon.child.once('exit', r));
const p = openPaddock(loadConfig(env));
await gc(p, { sessions: true });
await p.close();
await model.close();
rmSync(scratch, { recursive: true, force: true });
process.exit(0);
