/** The daemon's life: a queue with PADDOCK_MAX_RUNNING, SIGKILL losing nothing (runs and SSE clients), SIGTERM draining. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeRepo, until } from '../e2e/harness.ts';
import { startDaemon, type Daemon } from './harness.ts';
import { readSse, type SseMessage } from './sse-client.ts';

async function runningContainers(d: Daemon): Promise<number> {
  const instance = d.e.instance();
  return (await d.e.engine.listContainers({ filters: { label: [`dev.paddock.instance=${instance}`] } })).length;
}

const spawn = async (d: Daemon, repo: string, task: string, extra: Record<string, unknown> = {}) => {
  const r = await d.json('POST', '/api/v1/runs', { repo, task, ...extra });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body as { id: string; state: string; queuePosition: number | null };
};
const state = async (d: Daemon, id: string) => (await d.json('GET', `/api/v1/runs/${id}`)).body.run as { state: string; queuePosition: number | null; supervised: boolean };

describe('the daemon', () => {
  it('queues past PADDOCK_MAX_RUNNING (FIFO, positions shown), never runs more, and completes them all', async (t) => {
    const d = await startDaemon(t, { PADDOCK_MAX_RUNNING: '2' });
    const repo = await makeRepo(t);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await spawn(d, repo, `Wait ${i} [[script:slow 6]]`, { type: 'explore' })).id);
    const queued = await until(
      async () => {
        const s = await Promise.all(ids.map((id) => state(d, id)));
        return s[2]?.state === 'queued' && s[3]?.state === 'queued' ? s : undefined;
      },
      'the last two to wait in the queue',
      30_000,
      100,
    );
    assert.deepEqual(
      queued.slice(2).map((s) => s.queuePosition),
      [1, 2],
    );
    const listed = await d.json('GET', '/api/v1/runs?state=queued');
    assert.deepEqual(listed.body.runs.map((r: { id: string }) => r.id).sort(), ids.slice(2).sort());
    let most = 0;
    await until(
      async () => {
        most = Math.max(most, await runningContainers(d).catch(() => 0));
        const s = await Promise.all(ids.map((id) => state(d, id)));
        return s.every((x) => x.state === 'completed');
      },
      'all four to complete',
      240_000,
      300,
    );
    assert.ok(most <= 2 + 2, `at most two live containers (plus finished ones not yet removed): saw ${most}`);
    // FIFO: the third left the queue (queued → pending) before the fourth. (When each then reaches running depends
    // on how long its checkout and container take.)
    const dequeued = await Promise.all(
      ids.map(async (id) => {
        const ev = (await d.json('GET', `/api/v1/runs/${id}/events?limit=100`)).body.events as { ts: number; seq: number; kind: string; data: { to?: string } }[];
        return ev.find((e) => e.kind === 'state' && e.data.to === 'pending')!;
      }),
    );
    assert.ok(dequeued[2]!.ts <= dequeued[3]!.ts, 'queued runs leave the queue in order');
  });

  it('a queued run can be stopped: it is cancelled and never gets a container', async (t) => {
    const d = await startDaemon(t, { PADDOCK_MAX_RUNNING: '1' });
    const repo = await makeRepo(t);
    const first = await spawn(d, repo, 'Hold the slot [[script:slow 30]]', { type: 'explore' });
    const second = await spawn(d, repo, 'Wait my turn [[script:hello]]', { type: 'explore' });
    await until(async () => (await state(d, second.id)).state === 'queued', 'the second to be queued', 20_000, 100);
    const stop = await d.json('POST', `/api/v1/runs/${second.id}/stop`, {});
    assert.equal(stop.status, 200);
    assert.equal(stop.body.run.state, 'cancelled');
    assert.equal(stop.body.run.containerId, null);
    await d.json('POST', `/api/v1/runs/${first.id}/stop`, {});
  });

  it('SIGKILL with two live runs and an SSE client: both end in their true state, and the client, reconnecting with Last-Event-ID, gets every event once', async (t) => {
    let d = await startDaemon(t);
    const repo = await makeRepo(t);
    d.e.model.script('two-waits', ({ cwd, arg }) => [
      { tools: [{ name: 'Bash', input: { command: `timeout ${arg} tail -f /dev/null; echo waited-${arg}`, description: 'wait', timeout: 600000 } }] },
      { tools: [{ name: 'Write', input: { file_path: `${cwd}/done-${arg}.txt`, content: `${arg}\n` } }] },
      { text: `finished ${arg}` },
    ]);
    const a = await spawn(d, repo, 'A [[script:two-waits 10]]');
    const b = await spawn(d, repo, 'B [[script:two-waits 3]]');
    const seen: SseMessage[] = [];
    const abort = new AbortController();
    const first = readSse(`${d.url}/api/v1/runs/${a.id}/events/stream`, {}, { signal: abort.signal, until: (m) => m.event === 'event' && JSON.parse(m.data).kind === 'tool_use' }).then((ms) =>
      seen.push(...ms),
    );
    await first;
    await d.kill();
    // B's container finishes while no daemon runs; A's is still waiting in its tool call.
    await new Promise((r) => setTimeout(r, 5000));
    d = await d.restart();
    const lastId = seen.filter((m) => m.id !== undefined).at(-1)!.id!;
    const rest = await readSse(`${d.url}/api/v1/runs/${a.id}/events/stream`, { 'last-event-id': lastId });
    const all = [...seen, ...rest].filter((m) => m.event === 'event').map((m) => Number(m.id));
    assert.deepEqual(
      all,
      all.map((_, i) => i + 1),
      'each event exactly once, in order, across the reconnect',
    );
    assert.equal(rest.at(-1)?.event, 'end');
    for (const id of [a.id, b.id]) {
      const s = await until(
        async () => {
          const x = await state(d, id);
          return x.state === 'completed' ? x : undefined;
        },
        `${id} to complete`,
        180_000,
        500,
      );
      assert.equal(s.state, 'completed');
      const ev = (await d.json('GET', `/api/v1/runs/${id}/events?limit=10000`)).body.events as { seq: number; kind: string }[];
      assert.deepEqual(
        ev.map((e) => e.seq),
        ev.map((_, i) => i + 1),
      );
      assert.equal(ev.filter((e) => e.kind === 'result').length, 1);
    }
  });

  it('SIGTERM drains: it exits at once, lets go of its runs (containers run on), and the next daemon adopts them', async (t) => {
    let d = await startDaemon(t);
    const repo = await makeRepo(t);
    const run = await spawn(d, repo, 'Wait [[script:slow 8]]', { type: 'explore' });
    await until(async () => (await state(d, run.id)).state === 'running', 'the run to run', 60_000, 200);
    const started = Date.now();
    assert.equal(await d.stop(), 0);
    assert.ok(Date.now() - started < 10_000, 'drained promptly');
    const live = await d.e.engine.listContainers({ filters: { label: [`dev.paddock.run=${run.id}`] } });
    assert.equal(live.length, 1, 'the container runs on');
    d = await d.restart();
    const s = await until(
      async () => {
        const x = await state(d, run.id);
        return x.state === 'completed' ? x : undefined;
      },
      'the adopted run to complete',
      120_000,
      300,
    );
    assert.equal(s.state, 'completed');
  });
});
