/**
 * npm run bench -- web
 *
 * The web board in headless Chromium (Debian's, driven by playwright-core) against a real `paddock serve` (its own
 * PADDOCK_HOME, the scripted model, the real engine):
 * 1. First load: the JS and CSS that dist/web/index.html loads, gzipped (level 9, as a server would send them).
 *    Goal: under 300 kB. Baseline: the same files raw (not gzipped).
 * 2. A board of 500 runs (put into the store directly, as bench/api.bench.ts does: 500 finished runs, before the
 *    daemon starts): the time from navigation start to all 500 cards in the DOM and painted (a MutationObserver, then
 *    the next animation frame), median of BENCH_ROUNDS (default 5) fresh loads. Goal: under 1 s. Baseline: a raw page
 *    on the same origin that fetches the same 500 runs from GET /api/v1/runs and writes them as plain divs with
 *    innerHTML (no React, no SSE), measured the same way.
 * 3. Event latency: the page of a live run is open while its agent works through BENCH_STEPS (default 30) tool calls;
 *    for each event stored after the page connected, the time from its storing (the event's ts) to the page showing
 *    it (the transcript's data-last-seq reaching its seq), p99. Goal: under 100 ms. Baseline: a raw SSE reader in
 *    this process (fetch) on the same stream at the same time.
 * Prints ratios against the baselines and writes bench/results/web.json.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { gc, loadConfig, openPaddock } from '../src/app/index.ts';
import { openDb } from '../src/store/db.ts';
import { RunsRepo } from '../src/store/runs-repo.ts';
import { runRow } from '../test/fixtures/run-row.ts';
import { startScriptedModel } from '../test/fixtures/scripted-model/server.ts';
import { startServe } from './serve.ts';
import { CHROMIUM, CHROMIUM_FLAGS } from '../test/web/browser.ts';

const SOCKET = process.env.PADDOCK_ENGINE_SOCKET ?? '/run/paddock/podman.sock';
const IMAGE = process.env.PADDOCK_IMAGE ?? 'localhost/paddock-agent:latest';
const BIN = new URL('../bin/paddock.js', import.meta.url).pathname;
const WEB = new URL('../dist/web/', import.meta.url).pathname;
const KEY = `sk-bench-${randomBytes(8).toString('hex')}`;
const RUNS = 500;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const STEPS = Number(process.env.BENCH_STEPS ?? 30);
const GOALS = { firstLoadGzipKb: 300, board500Ms: 1000, eventP99Ms: 100 };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};
const round = (n: number) => Math.round(n * 100) / 100;
const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const ok = (v: number, goal: number) => (v < goal ? 'met' : 'MISSED');

// --- 1. first load -------------------------------------------------------------------------------------------
const html = readFileSync(join(WEB, 'index.html'), 'utf8');
const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
if (!assets.length) throw new Error('dist/web/index.html loads no assets: run npm run build');
const files = assets.map((a) => {
  const body = readFileSync(join(WEB, a));
  return { path: a, bytes: body.length, gzipBytes: gzipSync(body, { level: 9 }).length };
});
const firstLoad = { files, bytes: files.reduce((s, f) => s + f.bytes, 0), gzipBytes: files.reduce((s, f) => s + f.gzipBytes, 0) };

// --- the daemon, with 500 finished runs in its store --------------------------------------------------------
const scratch = mkdtempSync(join(tmpdir(), 'paddock-bench-web-'));
const home = join(scratch, 'home');
mkdirSync(home, { recursive: true, mode: 0o700 });
const repo = join(scratch, 'repo');
mkdirSync(repo);
execFileSync('bash', ['-c', `cd ${repo} && git init -q -b main && echo hi > a.txt && git add -A && git -c user.name=b -c user.email=b@b commit -qm init`]);
{
  const db = openDb(join(home, 'paddock.db'));
  const runs = new RunsRepo(db);
  const now = Date.now();
  const states = ['completed', 'completed', 'failed', 'cancelled', 'completed'] as const;
  for (let i = 0; i < RUNS; i++) {
    const id = randomBytes(6).toString('hex');
    const at = now - (i + 1) * 60_000;
    const state = states[i % states.length]!;
    runs.insert(
      runRow(id, {
        createdAt: at,
        updatedAt: at,
        task: `task number ${i}: make the thing do what it should, with tests`,
        repo,
        baseSha: '0'.repeat(40),
        branch: `paddock/bench-${id}`,
        image: IMAGE,
        memoryBytes: 512 * 1024 ** 2,
        pids: 512,
        timeoutMs: 1_800_000,
        sessionId: `00000000-0000-4000-8000-${id}`,
        state,
        phase: 'done',
        reason: state === 'failed' ? 'exit code 1' : 'the agent finished',
        exitCode: state === 'failed' ? 1 : 0,
        runDir: join(home, 'runs', id),
        containerName: `paddock-${id}`,
        modelToken: `pdk_${randomBytes(12).toString('hex')}`,
        startedAt: at + 900,
        finishedAt: at + 30_000,
        numTurns: 6,
        costUsd: 0.0123,
        inputTokens: 21_000,
        outputTokens: 1_800,
        cacheReadTokens: 12_000,
        cacheCreationTokens: 3_000,
        headSha: 'a'.repeat(40),
        commitsAhead: i % 2,
      }),
    );
  }
  db.close();
}

const model = await startScriptedModel({ apiKey: KEY });
model.script(
  'bench-steps',
  Array.from({ length: STEPS }, (_, i) => ({ text: `Step ${i + 1} of ${STEPS}.`, tools: [{ name: 'Bash', input: { command: `echo step ${i + 1}`, description: `Step ${i + 1}` } }] })).concat([
    { text: 'All steps done.', tools: [] },
  ]),
);
const env: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  LANG: 'C.UTF-8',
  PADDOCK_HOME: home,
  PADDOCK_ENGINE_SOCKET: SOCKET,
  PADDOCK_IMAGE: IMAGE,
  PADDOCK_ANTHROPIC_BASE_URL: model.url,
  PADDOCK_ANTHROPIC_API_KEY: KEY,
};

const daemon = await startServe(BIN, home, env);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });

// --- 2. the board with 500 runs -----------------------------------------------------------------------------
/** Records, in the page, when `count` elements match `selector` (after the next frame: painted). */
const cardsObserver = (selector: string, count: number) => `
  new MutationObserver((_, obs) => {
    if (document.querySelectorAll(${JSON.stringify(selector)}).length >= ${count}) {
      obs.disconnect();
      requestAnimationFrame(() => { window.__renderedAt = performance.now(); });
    }
  }).observe(document, { childList: true, subtree: true });`;

async function loadTime(path: string, rawHtml?: string): Promise<number> {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.addInitScript(cardsObserver('.run-card', RUNS));
  if (rawHtml) await page.route(`${daemon.url}${path}`, (r) => r.fulfill({ contentType: 'text/html', body: rawHtml }));
  await page.goto(`${daemon.url}${path}`);
  // Polled with evaluate (waitForFunction would eval a string, which the board's CSP refuses); the time is the page's own.
  let ms: number | undefined;
  for (let i = 0; i < 1500 && ms === undefined; i++) {
    ms = (await page.evaluate('window.__renderedAt')) as number | undefined;
    if (ms === undefined) await sleep(20);
  }
  if (ms === undefined) throw new Error(`${path}: ${RUNS} cards never rendered`);
  await ctx.close();
  if (errors.length) throw new Error(`console errors on ${path}: ${errors.join('; ')}`);
  return ms;
}

const RAW_BOARD = `<!doctype html><html><body><div id="b"></div><script>
fetch('/api/v1/runs?all=true&limit=1000').then((r) => r.json()).then(({ runs }) => {
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => '&#' + c.charCodeAt(0) + ';');
  document.getElementById('b').innerHTML = runs.map((r) => '<div class="run-card"><b>' + esc(r.repo) + '</b> ' + esc(r.branch) + ' ' + esc(r.type) + ' ' + esc(r.agent) + ' ' + esc(r.state) + ' ' + (r.inputTokens + r.outputTokens) + ' ' + r.costUsd + '<p>' + esc(r.task) + '</p></div>').join('');
});
</script></body></html>`;

const boardMs: number[] = [];
const rawMs: number[] = [];
await loadTime('/'); // warm-up: the daemon's first list, the browser's first start
for (let i = 0; i < ROUNDS; i++) {
  boardMs.push(await loadTime('/'));
  rawMs.push(await loadTime('/__raw-board', RAW_BOARD));
}
const board = { runs: RUNS, fixture: 'store (RunsRepo.insert before the daemon starts)', ms: median(boardMs), rounds: boardMs, baselineMs: median(rawMs), baselineRounds: rawMs };

// --- 3. event latency on an open run page -------------------------------------------------------------------
async function daemonJson(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${daemon.url}${path}`, { method, ...(body ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}) });
  const j = (await res.json()) as unknown;
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(j)}`);
  return j;
}

const run = await daemonJson('POST', '/api/v1/runs', { repo, task: `Work through the steps [[script:bench-steps]]`, branch: `bench/web-${Date.now()}` });
const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
const page = await ctx.newPage();
const pageErrors: string[] = [];
page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
await page.addInitScript(`
  window.__seen = [];
  new MutationObserver(() => {
    const el = document.querySelector('[data-last-seq]');
    const seq = el ? Number(el.getAttribute('data-last-seq')) : 0;
    const last = window.__seen.at(-1);
    if (seq > 0 && (!last || seq > last.seq)) window.__seen.push({ seq, at: performance.timeOrigin + performance.now() });
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-last-seq'], childList: true });`);
await page.goto(`${daemon.url}/runs/${run.id}`);
await page.locator('[data-last-seq]').waitFor();
const connectedAt = Date.now();

// The raw baseline: this process reads the same stream.
const rawSeen = new Map<number, number>();
const rawAbort = new AbortController();
const rawDone = (async () => {
  const res = await fetch(`${daemon.url}/api/v1/runs/${run.id}/events/stream`, { signal: rawAbort.signal });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    const at = performance.timeOrigin + performance.now();
    buf += value;
    let i = buf.indexOf('\n\n');
    while (i >= 0) {
      const id = /^id: (\d+)$/m.exec(buf.slice(0, i))?.[1];
      if (id) rawSeen.set(Number(id), at);
      buf = buf.slice(i + 2);
      i = buf.indexOf('\n\n');
    }
  }
})().catch(() => {});

for (let i = 0; ; i++) {
  const s = await daemonJson('GET', `/api/v1/runs/${run.id}`);
  if (['completed', 'failed', 'cancelled', 'timed_out', 'crashed'].includes(s.run.state)) break;
  if (i > 1800) throw new Error(`run ${run.id} did not end`);
  await sleep(200);
}
await sleep(500);
rawAbort.abort();
await rawDone;
const seen = (await page.evaluate('window.__seen')) as { seq: number; at: number }[];
await ctx.close();
const stored = (await daemonJson('GET', `/api/v1/runs/${run.id}/events?limit=10000`)).events as { seq: number; ts: number }[];
const measured = stored.filter((e) => e.ts >= connectedAt);
const pageLat = measured.map((e) => (seen.find((s) => s.seq >= e.seq)?.at ?? Number.POSITIVE_INFINITY) - e.ts);
const rawLat = measured.map((e) => (rawSeen.get(e.seq) ?? Number.POSITIVE_INFINITY) - e.ts);
const events = {
  events: measured.length,
  p99Ms: pct(pageLat, 99),
  p50Ms: pct(pageLat, 50),
  maxMs: Math.max(...pageLat),
  baselineP99Ms: pct(rawLat, 99),
  baselineP50Ms: pct(rawLat, 50),
  runState: (await daemonJson('GET', `/api/v1/runs/${run.id}`)).run.state,
};
if (pageErrors.length) throw new Error(`console errors on the run page: ${pageErrors.join('; ')}`);
await browser.close();

// --- report ---------------------------------------------------------------------------------------------------
console.log(
  `\nweb board (${cpus().length} cores, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')})`,
);
console.log(
  `  first load, JS + CSS: ${(firstLoad.gzipBytes / 1024).toFixed(1)} kB gzipped (${(firstLoad.bytes / 1024).toFixed(1)} kB raw; ${x(firstLoad.gzipBytes, firstLoad.bytes)} of raw), goal < ${GOALS.firstLoadGzipKb} kB: ${ok(firstLoad.gzipBytes / 1024, GOALS.firstLoadGzipKb)}`,
);
console.log(
  `  board of ${RUNS} runs rendered: ${board.ms.toFixed(0)} ms (median of ${ROUNDS}); raw fetch + innerHTML page ${board.baselineMs.toFixed(0)} ms; ratio ${x(board.ms, board.baselineMs)}; goal < ${GOALS.board500Ms} ms: ${ok(board.ms, GOALS.board500Ms)}`,
);
console.log(
  `  event stored → shown on the open run page: p99 ${events.p99Ms.toFixed(1)} ms, p50 ${events.p50Ms.toFixed(1)} ms over ${events.events} events; raw SSE reader p99 ${events.baselineP99Ms.toFixed(1)} ms; ratio ${x(events.p99Ms, events.baselineP99Ms)}; goal < ${GOALS.eventP99Ms} ms: ${ok(events.p99Ms, GOALS.eventP99Ms)}`,
);

const roundAll = (v: unknown): unknown =>
  typeof v === 'number' ? round(v) : Array.isArray(v) ? v.map(roundAll) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, y]) => [k, roundAll(y)])) : v;
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/web.json', import.meta.url),
  `${JSON.stringify(
    roundAll({
      date: new Date().toISOString(),
      cores: cpus().length,
      loadavg: loadavg(),
      engine: SOCKET,
      goals: GOALS,
      firstLoad: { ...firstLoad, gzipKb: firstLoad.gzipBytes / 1024, ratioToRaw: firstLoad.gzipBytes / firstLoad.bytes },
      board: { ...board, ratio: board.ms / board.baselineMs },
      events: { ...events, ratio: events.p99Ms / events.baselineP99Ms },
    }),
    null,
    2,
  )}\n`,
);
console.log('\nwrote bench/results/web.json');

daemon.child.kill('SIGTERM');
await new Promise((r) => daemon.child.once('exit', r));
const p = openPaddock(loadConfig(env));
await gc(p, { sessions: true });
await p.close();
await model.close();
rmSync(scratch, { recursive: true, force: true });
process.exit(0);
