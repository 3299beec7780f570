/**
 * /metrics in-process (app.request on createApi, a real store in a fresh home; no engine needed): route patterns as
 * labels, spawn phases from a run's state events, tokens and cost counted once when a run ends, runs by state read
 * from the store, the ping route, and the setting that turns metrics off.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApi } from '../../src/api/index.ts';
import { loadConfig, openPaddock, type Paddock } from '../../src/app/index.ts';
import { runRow } from '../fixtures/run-row.ts';

function open(t: TestContext, env: NodeJS.ProcessEnv = {}): { p: Paddock; app: ReturnType<typeof createApi> } {
  const home = mkdtempSync(join(tmpdir(), 'paddock-metrics-'));
  const p = openPaddock(loadConfig({ PADDOCK_HOME: home, PADDOCK_MAX_RUNNING: '4', ...env }));
  const shutdown = new AbortController();
  const log = { info() {}, warn() {}, error() {} };
  const app = createApi({ p, shutdown: shutdown.signal, log, version: 'test', system: { info: () => ({ pid: 1, version: 'test', startedAt: 0, socket: '', tcp: null }), requestStop() {} } });
  t.after(async () => {
    shutdown.abort();
    await p.close();
    rmSync(home, { recursive: true, force: true });
  });
  return { p, app };
}

/** The exposition parsed into "name{labels}" → value. */
async function scrape(app: ReturnType<typeof createApi>): Promise<Map<string, number>> {
  const res = await app.request('/metrics');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const out = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

describe('metrics', () => {
  it('counts API requests by route pattern, method and status; unknown paths are one series', async (t) => {
    const { app } = open(t);
    assert.deepEqual(await (await app.request('/api/v1/ping')).json(), { ok: true });
    for (const id of ['abcdef', 'abcdef0', 'abcdef01']) assert.equal((await app.request(`/api/v1/runs/${id}`)).status, 404);
    assert.equal((await app.request('/api/v1/runs/zz')).status, 400);
    for (const path of ['/nope/1', '/nope/2']) assert.equal((await app.request(path)).status, 404);
    const m = await scrape(app);
    assert.equal(m.get('http_requests_total{method="GET",path="/api/v1/ping",status="200"}'), 1);
    assert.equal(m.get('http_requests_total{method="GET",path="/api/v1/runs/:id",status="404"}'), 3, 'three ids, one series');
    assert.equal(m.get('http_requests_total{method="GET",path="/api/v1/runs/:id",status="400"}'), 1);
    assert.equal(m.get('http_requests_total{method="GET",path="unmatched",status="404"}'), 2);
    assert.equal(m.get('http_request_duration_seconds_count{method="GET",path="/api/v1/runs/:id",status="404"}'), 3);
    assert.ok(
      [...m.keys()].every((k) => !k.includes('abcdef') && !k.includes('/nope')),
      'no raw path in a label',
    );
    assert.ok((m.get('process_resident_memory_bytes') ?? 0) > 0, 'process metrics, as Stromboli has');
  });

  it('spawn phases from state events, runs by state from the store, tokens and cost once per ended run', async (t) => {
    const { p, app } = open(t);
    const created = Date.now();
    p.runs.insert(runRow('aaaaaaaaaaa1', { createdAt: created, state: 'queued', phase: 'queued', repo: '/r1', branch: 'b1' }));
    const step = async (from: string, to: string, pauseMs: number) => {
      await sleep(pauseMs);
      p.runs.update('aaaaaaaaaaa1', { state: to as never });
      p.events.append('aaaaaaaaaaa1', { kind: 'state', from, to, reason: null });
    };
    p.events.append('aaaaaaaaaaa1', { kind: 'state', from: 'new', to: 'queued', reason: null });
    await step('queued', 'pending', 60);
    p.events.append('aaaaaaaaaaa1', { kind: 'phase', phase: 'creating-container' });
    await step('pending', 'starting', 120);
    await step('starting', 'running', 30);
    await sleep(10); // listeners run a tick after the write
    let m = await scrape(app);
    assert.equal(m.get('paddock_runs{state="running"}'), 1);
    assert.equal(m.get('active_containers'), 1);
    assert.equal(m.get('paddock_queue_length'), 0);
    assert.equal(m.get('paddock_max_running'), 4);
    for (const phase of ['queued', 'pending', 'starting']) assert.equal(m.get(`paddock_spawn_phase_seconds_count{phase="${phase}"}`), 1, phase);
    assert.ok(m.get('paddock_spawn_phase_seconds_sum{phase="queued"}')! >= 0.05, 'queued → pending took 60 ms');
    assert.ok(m.get('paddock_spawn_phase_seconds_sum{phase="pending"}')! >= 0.11, 'pending → starting took 120 ms');
    assert.ok(m.get('paddock_spawn_phase_seconds_sum{phase="starting"}')! < m.get('paddock_spawn_phase_seconds_sum{phase="pending"}')!);
    assert.equal(m.get('paddock_spawn_to_running_seconds_count'), 1);
    assert.equal(m.get('paddock_tokens_total{kind="input"}'), undefined, 'nothing counted before the end');

    // A stall and back is not a spawn phase; the end adds the run's usage, as the relay stored it.
    await step('running', 'stalled', 0);
    await step('stalled', 'running', 0);
    p.runs.addUsage('aaaaaaaaaaa1', { inputTokens: 120, outputTokens: 30, cacheReadTokens: 7, cacheCreationTokens: 0 }, 0.0125);
    p.events.appendFrom('aaaaaaaaaaa1', 'gateway', { kind: 'refused', method: 'GET', target: '/v1/files', status: 403, why: 'not a model call' });
    await sleep(10);
    m = await scrape(app);
    assert.equal(m.get('paddock_live_cost_usd'), 0.0125, "a live run's cost so far, as the gateway counted it");
    assert.equal(m.get('paddock_live_tokens{kind="input"}'), 120);
    assert.equal(m.get('paddock_gateway_refusals_total{status="403"}'), 1);
    await step('running', 'completed', 0);
    // A second run that failed while queued: no spawn phase past queued, no tokens.
    p.runs.insert(runRow('bbbbbbbbbbb2', { createdAt: Date.now(), state: 'failed', phase: 'done', repo: '/r2', branch: 'b2' }));
    p.events.append('bbbbbbbbbbb2', { kind: 'state', from: 'new', to: 'queued', reason: null });
    p.events.append('bbbbbbbbbbb2', { kind: 'state', from: 'queued', to: 'failed', reason: 'no' });
    await sleep(10);
    m = await scrape(app);
    assert.equal(m.get('paddock_runs{state="completed"}'), 1);
    assert.equal(m.get('paddock_runs{state="failed"}'), 1);
    assert.equal(m.get('active_containers'), 0);
    assert.equal(m.get('paddock_runs_finished_total{state="completed"}'), 1);
    assert.equal(m.get('paddock_runs_finished_total{state="failed"}'), 1);
    assert.equal(m.get('paddock_spawn_phase_seconds_count{phase="queued"}'), 2, 'the failed run waited in the queue too');
    assert.equal(m.get('paddock_spawn_phase_seconds_count{phase="pending"}'), 1);
    assert.equal(m.get('paddock_tokens_total{kind="input"}'), 120);
    assert.equal(m.get('paddock_tokens_total{kind="output"}'), 30);
    assert.equal(m.get('paddock_tokens_total{kind="cache_read"}'), 7);
    assert.equal(m.get('paddock_cost_usd_total'), 0.0125);
    assert.equal(m.get('paddock_run_duration_seconds_count{state="completed"}'), 1);
    assert.equal(m.get('paddock_live_cost_usd'), 0, 'an ended run is no longer live');
  });

  it('PADDOCK_METRICS_ENABLED=false: no /metrics (ping stays)', async (t) => {
    const { app } = open(t, { PADDOCK_METRICS_ENABLED: 'false' });
    assert.equal((await app.request('/metrics')).status, 404);
    assert.equal((await app.request('/api/v1/ping')).status, 200);
  });

  it('/metrics is in the OpenAPI document', async (t) => {
    const { app } = open(t);
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, unknown>> };
    assert.ok(doc.paths['/metrics']?.get);
    assert.ok(doc.paths['/api/v1/ping']?.get);
  });
});
