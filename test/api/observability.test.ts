/**
 * Logs, metrics and traces of a real `paddock serve` running real runs (the Claude CLI in containers, the scripted
 * model): every log line of a request carries its id, a run's lines carry the run's id (not the request's), engine and
 * git calls show at debug and never a token; /metrics after a run; the separate metrics listener; OTLP traces to a
 * receiver this test starts on loopback, with OpenTelemetry loaded only when PADDOCK_TRACING_ENDPOINT is set.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it, type TestContext } from 'node:test';
import { makeRepo, REAL_KEY, until } from '../e2e/harness.ts';
import { startOtlpReceiver, type ReceivedSpan } from '../fixtures/otlp/receiver.ts';
import { type Daemon, startDaemon } from './harness.ts';

type Line = Record<string, unknown> & { msg?: string; component?: string; requestId?: string; runId?: string; op?: string };

const lines = (d: Daemon): Line[] =>
  d
    .log()
    .split('\n')
    .flatMap((l) => {
      try {
        const v = JSON.parse(l) as unknown;
        return v && typeof v === 'object' ? [v as Line] : [];
      } catch {
        return [];
      }
    });

async function finishedRun(d: Daemon, id: string): Promise<Record<string, any>> {
  return until(
    async () => {
      const r = await d.json('GET', `/api/v1/runs/${id}`);
      return ['completed', 'failed', 'cancelled', 'timed_out', 'crashed'].includes(r.body?.run?.state) ? r.body.run : undefined;
    },
    `run ${id} to end`,
    180_000,
    250,
  );
}

async function scrape(url: string): Promise<Map<string, number>> {
  const res = await fetch(url);
  assert.equal(res.status, 200, url);
  const out = new Map<string, number>();
  for (const line of (await res.text()).split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function importsRecorder(t: TestContext): { env: NodeJS.ProcessEnv; loaded: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'paddock-imports-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'imports.txt');
  const hook = new URL('../fixtures/record-imports.ts', import.meta.url).pathname;
  return {
    env: { NODE_OPTIONS: `--import=${hook}`, PADDOCK_RECORD_IMPORTS: file, PADDOCK_RECORD_IMPORTS_MATCH: '@opentelemetry' },
    loaded: () => {
      try {
        return readFileSync(file, 'utf8').split('\n').filter(Boolean);
      } catch {
        return [];
      }
    },
  };
}

describe('observability', () => {
  it("logs: a request's lines carry its id, a run's lines its run id; engine and git calls at debug; no secret in them", async (t) => {
    const port = await freePort();
    const d = await startDaemon(t, { PADDOCK_LOG_LEVEL: 'debug', PADDOCK_METRICS_ADDRESS: `127.0.0.1:${port}` });
    const repo = await makeRepo(t);
    const created = await d.json('POST', '/api/v1/runs', { repo, task: 'Say hello [[script:hello]]', branch: 'obs/logs' }, { 'x-request-id': 'obs-req-1' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.headers.get('x-request-id'), 'obs-req-1');
    const id = created.body.id as string;
    const run = await finishedRun(d, id);
    assert.equal(run.state, 'completed');

    const all = lines(d);
    const ofRequest = all.filter((l) => l.requestId === 'obs-req-1');
    assert.ok(
      ofRequest.some((l) => l.msg === 'request' && l.method === 'POST' && l.status === 201),
      'the request line',
    );
    assert.ok(
      ofRequest.some((l) => l.component === 'git' && typeof l.args === 'string'),
      'git calls made while validating the spawn',
    );
    assert.ok(
      ofRequest.some((l) => l.component === 'engine' && /^GET \/images\/\{ref\}\/json$/.test(String(l.op))),
      'the image check on the engine',
    );
    const ofRun = all.filter((l) => l.runId === id);
    assert.ok(
      ofRun.some((l) => l.component === 'engine' && l.op === 'POST /containers/{id}/start'),
      'the container start, under the run',
    );
    assert.ok(
      ofRun.some((l) => l.component === 'engine' && l.op === 'POST /containers/create'),
      'the container create, under the run',
    );
    assert.ok(
      ofRun.some((l) => l.component === 'git' && /fetch/.test(String(l.args))),
      'the branch brought back, under the run',
    );
    assert.ok(
      ofRun.every((l) => l.requestId === undefined),
      'a run outlives its request: its lines do not carry the request id',
    );
    assert.ok(all.filter((l) => l.component === 'engine').every((l) => typeof l.ms === 'number' && typeof l.path === 'string'));

    const db = new DatabaseSync(join(d.e.home, 'paddock.db'), { readOnly: true });
    const { model_token: token } = db.prepare('SELECT model_token FROM runs WHERE id = ?').get(id) as { model_token: string };
    db.close();
    assert.ok(token.length > 10);
    assert.ok(!d.log().includes(token), 'the run token is never logged (engine bodies are not)');
    assert.ok(!d.log().includes(REAL_KEY), 'the real key is never logged');

    // Metrics of that run: on the API, and alone on the separate listener.
    for (const url of [`${d.url}/metrics`, `http://127.0.0.1:${port}/metrics`]) {
      const m = await scrape(url);
      assert.equal(m.get('paddock_runs{state="completed"}'), 1, url);
      for (const phase of ['queued', 'pending', 'starting']) assert.equal(m.get(`paddock_spawn_phase_seconds_count{phase="${phase}"}`), 1, `${url} ${phase}`);
      assert.ok(m.get('paddock_spawn_phase_seconds_sum{phase="pending"}')! > 0);
      assert.equal(m.get('paddock_spawn_to_running_seconds_count'), 1);
      assert.equal(m.get('paddock_runs_finished_total{state="completed"}'), 1);
      assert.equal(m.get('paddock_tokens_total{kind="input"}'), run.inputTokens, "the relay's count, as stored on the run");
      assert.equal(m.get('paddock_tokens_total{kind="output"}'), run.outputTokens);
      assert.ok(run.costUsd > 0);
      assert.equal(m.get('paddock_cost_usd_total'), run.costUsd);
      assert.equal(m.get('http_requests_total{method="POST",path="/api/v1/runs",status="201"}'), 1);
      assert.ok(m.get('http_requests_total{method="GET",path="/api/v1/runs/:id",status="200"}')! >= 1);
    }
    assert.equal((await fetch(`http://127.0.0.1:${port}/api/v1/runs`)).status, 404, 'the metrics listener serves /metrics only');
  });

  it('logs: NODE_DEBUG=paddock-git shows git calls only; the default level shows neither', async (t) => {
    const repo = await makeRepo(t);
    const git = await startDaemon(t, { NODE_DEBUG: 'paddock-git' });
    const bad = await git.json('POST', '/api/v1/runs', { repo, task: 'x', base: 'no-such-ref' }, { 'x-request-id': 'obs-git' });
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
    // The daemon writes its log asynchronously: wait for the lines rather than read them the moment the answer comes.
    await until(
      () => lines(git).some((l) => l.component === 'git' && l.requestId === 'obs-git' && /no-such-ref/.test(String(l.args)) && l.code === 1),
      'the rev-parse that found no such ref, with the request id',
      10_000,
      50,
    );
    await until(() => lines(git).some((l) => l.msg === 'request' && l.requestId === 'obs-git'), 'the request line', 10_000, 50);
    assert.ok(!lines(git).some((l) => l.component === 'engine'), 'engine calls not asked for');

    const quiet = await startDaemon(t);
    const again = await quiet.json('POST', '/api/v1/runs', { repo, task: 'x', base: 'no-such-ref' });
    assert.equal(again.status, 400);
    await until(() => lines(quiet).some((l) => l.msg === 'request' && l.status === 400), "the quiet daemon's request line", 10_000, 50);
    assert.ok(!lines(quiet).some((l) => l.component === 'git' || l.component === 'engine'));
  });

  it("traces: a request (continuing the caller's trace) and a run with its states and engine calls reach an OTLP receiver", async (t) => {
    const receiver = await startOtlpReceiver();
    t.after(() => receiver.close());
    const rec = importsRecorder(t);
    const d = await startDaemon(t, { PADDOCK_TRACING_ENDPOINT: receiver.url, PADDOCK_TRACING_SERVICE_NAME: 'paddock-test', ...rec.env });
    assert.ok(
      rec.loaded().some((s) => s.startsWith('@opentelemetry/sdk-trace ')),
      'the SDK is loaded when tracing is on',
    );

    const traceId = 'a1'.repeat(16);
    const callerSpan = 'b2'.repeat(8);
    const listed = await d.json('GET', '/api/v1/runs', undefined, { traceparent: `00-${traceId}-${callerSpan}-01`, 'x-request-id': 'trace-list' });
    assert.equal(listed.status, 200);
    const repo = await makeRepo(t);
    const created = await d.json('POST', '/api/v1/runs', { repo, task: 'Say hello [[script:hello]]', branch: 'obs/trace' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    assert.equal((await finishedRun(d, id)).state, 'completed');

    const find = (pred: (s: ReceivedSpan) => boolean) => receiver.spans.find(pred);
    const list = await until(() => find((s) => s.name === 'GET /api/v1/runs'), 'the GET span', 30_000);
    assert.equal(list.traceId, traceId, "the caller's trace");
    assert.equal(list.parentSpanId, callerSpan, "a child of the caller's span");
    assert.equal(list.kind, 2, 'SERVER');
    assert.equal(list.attributes['http.response.status_code'], 200);
    assert.equal(list.attributes['http.route'], '/api/v1/runs');
    assert.equal(list.attributes['paddock.request_id'], 'trace-list');
    assert.equal(list.service, 'paddock-test');

    const runSpan = await until(() => find((s) => s.name === 'run' && s.attributes['paddock.run.id'] === id), 'the run span', 30_000);
    const post = find((s) => s.name === 'POST /api/v1/runs')!;
    assert.ok(post, 'the spawn request span');
    assert.equal(runSpan.parentSpanId, post.spanId, 'the run is a child of the request that spawned it');
    assert.equal(runSpan.traceId, post.traceId);
    assert.equal(runSpan.attributes['paddock.run.state'], 'completed');
    assert.ok(Number(runSpan.attributes['paddock.run.input_tokens']) > 0);
    const states = receiver.spans.filter((s) => s.parentSpanId === runSpan.spanId && s.name.startsWith('run.')).sort((a, b) => a.startMs - b.startMs);
    assert.deepEqual(
      states.map((s) => s.name),
      ['run.queued', 'run.pending', 'run.starting', 'run.running'],
      'one span per state before the end',
    );
    for (let i = 1; i < states.length; i++) assert.equal(states[i]!.startMs, states[i - 1]!.endMs, 'each state starts where the last ended');
    assert.ok(states[0]!.startMs >= runSpan.startMs && states.at(-1)!.endMs <= runSpan.endMs);
    const engine = receiver.spans.filter((s) => s.parentSpanId === runSpan.spanId && s.name.startsWith('engine '));
    assert.ok(
      engine.some((s) => s.name === 'engine POST /containers/{id}/start'),
      `engine calls under the run: ${engine.map((s) => s.name).join(', ')}`,
    );
    assert.ok(
      receiver.spans.some((s) => s.parentSpanId === post.spanId && s.name.startsWith('git ')),
      'git calls under the spawn request',
    );
    assert.equal(receiver.rejected, 0);
  });

  it("traces: without PADDOCK_TRACING_ENDPOINT the daemon loads nothing of Paddock's tracing", async (t) => {
    const rec = importsRecorder(t);
    const d = await startDaemon(t, rec.env);
    assert.equal((await d.json('GET', '/api/v1/runs')).status, 200);
    assert.equal((await d.fetch('/metrics')).status, 200);
    // prom-client's process CPU metric requires the API facade (no SDK, no exporter, no-op until one registers):
    // that is the one OpenTelemetry module a daemon without tracing loads.
    const loaded = rec.loaded();
    assert.ok(
      loaded.every((l) => l.startsWith('@opentelemetry/api ') && /prom-client/.test(l)),
      loaded.join('\n'),
    );
  });
});
