/**
 * Stromboli's persistent agents (/agents) against the real daemon, the real CLI in a real container and the scripted
 * model: create with a first prompt, the SSE stream (turn_start, verbatim output lines, turn_end, exited, closed),
 * /send (202, 409 mid-turn, 410 once exited), GET one and all, DELETE, and the error bodies Stromboli clients read.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeRepo, until } from '../e2e/harness.ts';
import { startDaemon } from './harness.ts';
import { readSse, type SseMessage } from './sse-client.ts';

const SNAPSHOT_KEYS = ['id', 'session_id', 'status', 'created_at', 'last_activity_at', 'idle_timeout_seconds', 'turns_completed'];

describe('Stromboli /agents', () => {
  it("create, stream, send twice (409 mid-turn), list, delete (410 after), with Stromboli's shapes", async (t) => {
    const d = await startDaemon(t);
    const repo = await makeRepo(t);
    const created = await d.json('POST', '/agents', { prompt: 'Hello there [[script:two-turns]]', workdir: repo, idle_timeout_seconds: 600 });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const a = created.body;
    assert.match(a.id, /^agent-[0-9a-f]{12}$/);
    assert.deepEqual(Object.keys(a), SNAPSHOT_KEYS, "Stromboli's fields, in its order (no exit_error, no idle_timeout_disabled)");
    assert.match(a.status, /^(starting|generating)$/);
    assert.equal(a.idle_timeout_seconds, 600);
    assert.equal(a.turns_completed, 0);
    assert.ok(!Number.isNaN(Date.parse(a.created_at)));

    // The stream: from now on, until the agent has exited.
    const stream = readSse(`${d.url}/agents/${a.id}/stream`, {}, { until: (m) => m.event === 'closed', timeoutMs: 300_000 });

    const idle = await until(
      async () => {
        const s = await d.json('GET', `/agents/${a.id}`);
        return s.body.status === 'idle' && s.body.turns_completed === 1 && s.body;
      },
      'the first turn',
      180_000,
      250,
    );
    assert.equal(idle.session_id, a.session_id);

    const sent = await d.json('POST', `/agents/${a.id}/send`, { prompt: 'And a second question' });
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    assert.match(sent.body.turn_id, /^turn-[0-9a-f]{12}-2$/);
    const busy = await d.json('POST', `/agents/${a.id}/send`, { prompt: 'A third, too soon' });
    assert.equal(busy.status, 409);
    assert.deepEqual(busy.body, { error: 'agent: a turn is already in progress' });
    await until(async () => (await d.json('GET', `/agents/${a.id}`)).body.turns_completed === 2, 'the second turn', 180_000, 250);

    const list = await d.json('GET', '/agents');
    assert.equal(list.status, 200);
    assert.ok(Array.isArray(list.body), 'a bare array');
    assert.deepEqual(
      list.body.map((x: { id: string }) => x.id),
      [a.id],
    );

    const del = await d.fetch(`/agents/${a.id}`, { method: 'DELETE' });
    assert.equal(del.status, 204);
    assert.equal(await del.text(), '');

    const events: SseMessage[] = await stream;
    const types = events.map((m) => m.event);
    assert.equal(types.at(-1), 'closed');
    assert.equal(types.at(-2), 'exited');
    assert.equal(types.filter((x) => x === 'turn_end').length, 2, types.join(','));
    const start2 = events.find((m) => m.event === 'turn_start' && JSON.parse(m.data).turn_id === sent.body.turn_id);
    assert.ok(start2, 'turn_start of the second turn, with its turn id');
    const outputs = events.filter((m) => m.event === 'output').map((m) => JSON.parse(m.data) as { type: string; content: string; turn_id?: string; at: string });
    const lines = outputs.map((o) => JSON.parse(o.content) as { type: string; result?: string });
    assert.deepEqual(
      lines.filter((l) => l.type === 'result').map((l) => l.result),
      ['First answer.', 'Second answer, after resuming.'],
      "output carries the CLI's stdout lines verbatim",
    );
    assert.ok(outputs.every((o) => o.type === 'output' && !Number.isNaN(Date.parse(o.at))));
    assert.ok(
      events.every((m) => m.id === undefined),
      'no ids, as Stromboli',
    );

    const gone = await until(
      async () => {
        const s = await d.json('GET', `/agents/${a.id}`);
        return s.body.status === 'exited' && s.body;
      },
      'the agent to have exited',
      120_000,
      250,
    );
    assert.equal(gone.exit_error, undefined, 'stopped between turns: no error');
    const late = await d.json('POST', `/agents/${a.id}/send`, { prompt: 'hello?' });
    assert.equal(late.status, 410);
    assert.deepEqual(late.body, { error: 'agent: process has exited' });
    // It was a Paddock run all along: completed, its branch back.
    const run = await d.json('GET', `/api/v1/runs/${a.id.slice('agent-'.length)}`);
    assert.equal(run.body.run.state, 'completed');
    assert.equal(run.body.run.keepAlive, true);
  });

  it("an agent without a prompt waits for /send; errors are Stromboli's", async (t) => {
    const d = await startDaemon(t);
    const repo = await makeRepo(t);
    assert.deepEqual((await d.json('GET', '/agents/agent-000000000000')).body, { error: 'agent: not found' });
    assert.equal((await d.json('GET', '/agents/nonsense')).status, 404);
    const neg = await d.json('POST', '/agents', { workdir: repo, idle_timeout_seconds: -1 });
    assert.equal(neg.status, 400);
    assert.deepEqual(neg.body, { error: 'agent: invalid request: idle_timeout_seconds must be non-negative' });

    const a = (await d.json('POST', '/agents', { workdir: repo, disable_idle_timeout: true })).body;
    assert.equal(a.idle_timeout_disabled, true);
    const idle = await until(
      async () => {
        const s = await d.json('GET', `/agents/${a.id}`);
        return s.body.status === 'idle' && s.body;
      },
      'the agent to be up',
      180_000,
      250,
    );
    assert.equal(idle.turns_completed, 0);
    const blank = await d.json('POST', `/agents/${a.id}/send`, { prompt: '   ' });
    assert.equal(blank.status, 400);
    assert.deepEqual(blank.body, { error: 'agent: invalid request: prompt is required' });
    assert.equal((await d.json('POST', `/agents/${a.id}/send`, { prompt: 'Only now [[script:hello Late hello.]]' })).status, 202);
    await until(async () => (await d.json('GET', `/agents/${a.id}`)).body.turns_completed === 1, 'the first turn', 180_000, 250);
    const run = await d.json('GET', `/api/v1/runs/${a.id.slice('agent-'.length)}`);
    assert.equal(run.body.run.resultText, 'Late hello.');
    assert.equal((await d.fetch(`/agents/${a.id}`, { method: 'DELETE' })).status, 204);
    assert.equal((await d.fetch('/agents/agent-000000000000', { method: 'DELETE' })).status, 404);
  });
});
