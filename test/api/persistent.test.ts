/**
 * Persistent runs (keepAlive) against the real daemon, the real Claude Code CLI in real containers and the scripted
 * model: turns through the input socket, running ⇄ idle, the idle timeout, a stop between turns, and a message that
 * lives through a daemon SIGKILL and restart, delivered exactly once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { git, makeRepo, until } from '../e2e/harness.ts';
import { type Daemon, startDaemon } from './harness.ts';

interface RunBody {
  id: string;
  state: string;
  phase: string;
  reason: string | null;
  resultText: string | null;
  headSha: string | null;
  keepAlive: boolean;
  idleTimeoutMs: number | null;
  timeoutMs: number;
}

async function runOf(d: Daemon, id: string): Promise<RunBody> {
  const r = await d.json('GET', `/api/v1/runs/${id}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.run as RunBody;
}

const ENDED = ['completed', 'failed', 'cancelled', 'timed_out', 'crashed'];

async function waitFor(d: Daemon, id: string, what: string, ok: (r: RunBody) => boolean, timeoutMs = 180_000): Promise<RunBody> {
  return until(
    async () => {
      const r = await runOf(d, id);
      if (!ok(r) && ENDED.includes(r.state)) throw new Error(`run ${id} ended ${r.state} (${r.reason}) while waiting for ${what}\n${d.log()}`);
      return ok(r) && r;
    },
    what,
    timeoutMs,
    250,
  );
}

/** The run's state changes, in order, from its event log. */
async function states(d: Daemon, id: string): Promise<string[]> {
  const page = await d.json('GET', `/api/v1/runs/${id}/events?limit=10000`);
  return (page.body.events as { kind: string; data: { to?: string } }[]).filter((e) => e.kind === 'state').map((e) => e.data.to ?? '');
}

async function send(d: Daemon, id: string, text: string): Promise<{ status: number; body: any }> {
  return d.json('POST', `/api/v1/runs/${id}/messages`, { text });
}

/** Every user text block of a request's conversation. */
const userTexts = (body: unknown): string[] =>
  ((body as { messages?: { role: string; content: unknown }[] }).messages ?? [])
    .filter((m) => m.role === 'user')
    .flatMap((m) => (typeof m.content === 'string' ? [m.content] : (m.content as { type: string; text?: string }[]).filter((b) => b.type === 'text').map((b) => b.text ?? '')));

describe('persistent runs (keepAlive)', () => {
  it('answers two messages in turn, running ⇄ idle; the second model request carries the first turn', async (t) => {
    const d = await startDaemon(t);
    const repo = await makeRepo(t);
    const created = await d.json('POST', '/api/v1/runs', { repo, task: 'First question [[script:two-turns]]', keepAlive: true, branch: 'persist/two' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id as string;
    assert.equal(created.body.keepAlive, true);
    assert.equal(created.body.idleTimeoutMs, 30 * 60_000, 'PADDOCK_IDLE_TIMEOUT defaults to 30m');
    assert.equal(created.body.timeoutMs, 7 * 24 * 3600_000, 'a persistent run defaults to the longest timeout');

    const first = await waitFor(d, id, 'the first answer', (r) => r.state === 'idle' && r.resultText === 'First answer.');
    assert.equal(first.phase, 'waiting-for-message');

    const sent = await send(d, id, 'Second question');
    assert.equal(sent.status, 202, JSON.stringify(sent.body));
    assert.equal(sent.body.message.seq, 2);
    assert.equal(sent.body.queued, false, 'the agent was idle');
    const second = await waitFor(d, id, 'the second answer', (r) => r.state === 'idle' && r.resultText === 'Second answer, after resuming.');
    assert.equal(second.phase, 'waiting-for-message');

    const main = d.e.model.mainRequests('two-turns');
    assert.deepEqual(
      main.map((q) => q.step),
      [0, 1],
    );
    const history = (main[1]!.body as { messages: { role: string; content: unknown }[] }).messages;
    assert.ok(JSON.stringify(history).includes('First answer.'), 'the first answer went back to the model as history');
    const asked = userTexts(main[1]!.body).filter((x) => x.includes('First question [[script:two-turns]]') || x === 'Second question');
    assert.equal(asked.length, 2, 'the first task (framed) and the second message, each once');
    assert.equal(asked[1], 'Second question', 'the message as sent, unframed');

    const list = await d.json('GET', `/api/v1/runs/${id}/messages`);
    assert.deepEqual(
      list.body.messages.map((m: { seq: number; state: string }) => [m.seq, m.state]),
      [
        [1, 'delivered'],
        [2, 'delivered'],
      ],
    );

    assert.deepEqual((await states(d, id)).slice(0, 7), ['queued', 'pending', 'starting', 'running', 'idle', 'running', 'idle']);

    // A run that is not persistent takes no message; bad text is refused by name.
    assert.equal((await send(d, id, '')).status, 400);
    const stop = await d.json('POST', `/api/v1/runs/${id}/stop`, {});
    assert.equal(stop.status, 200, JSON.stringify(stop.body));
    assert.equal(stop.body.run.state, 'completed', JSON.stringify(stop.body.run));
    assert.equal(stop.body.run.reason, 'stopped by user between turns');
    const late = await send(d, id, 'too late');
    assert.equal(late.status, 409);
    assert.match(late.body.error.message, /has ended/);
  });

  it('a message sent mid-turn waits for the turn to end', async (t) => {
    const d = await startDaemon(t);
    const repo = await makeRepo(t);
    d.e.model.script('wait-then-answer', [
      { tools: [{ name: 'Bash', input: { command: 'timeout 6 tail -f /dev/null; echo waited', description: 'wait', timeout: 600000 } }] },
      { text: 'Turn one done.' },
      { text: 'Turn two done.' },
    ]);
    const id = (await d.json('POST', '/api/v1/runs', { repo, task: 'Go [[script:wait-then-answer]]', keepAlive: true })).body.id as string;
    await until(
      async () => {
        const ev = await d.json('GET', `/api/v1/runs/${id}/events?limit=10000`);
        return (ev.body.events as { kind: string }[]).some((e) => e.kind === 'tool_use');
      },
      'the first turn to be working',
      180_000,
      250,
    );
    const sent = await send(d, id, 'And then?');
    assert.equal(sent.status, 202);
    assert.equal(sent.body.queued, true, 'the agent is mid-turn');
    assert.equal(sent.body.message.state, 'pending');
    await waitFor(d, id, 'the second turn', (r) => r.state === 'idle' && r.resultText === 'Turn two done.');
    const main = d.e.model.mainRequests('wait-then-answer');
    // The message came after the first turn's answer, not into the middle of it.
    assert.deepEqual(
      main.map((q) => q.step),
      [0, 1, 2],
    );
    assert.ok(!userTexts(main[1]!.body).includes('And then?'), 'not inside the first turn');
    assert.ok(userTexts(main[2]!.body).includes('And then?'));
  });

  it('the idle timeout closes its input: it ends completed and its branch comes back', async (t) => {
    const d = await startDaemon(t);
    const repo = await makeRepo(t);
    const id = (await d.json('POST', '/api/v1/runs', { repo, task: 'Write it [[script:write-file kept]]', keepAlive: true, idleTimeout: '3s', branch: 'persist/idle' })).body.id as string;
    await waitFor(d, id, 'the first turn to end', (r) => r.state === 'idle');
    const ended = await waitFor(d, id, 'the idle timeout', (r) => ENDED.includes(r.state), 120_000);
    assert.equal(ended.state, 'completed', `${ended.reason}`);
    assert.equal(ended.reason, 'idle for 3s: its input was closed');
    assert.ok(ended.headSha);
    assert.equal(await git(repo, 'show', 'persist/idle:hello.txt'), 'kept');
  });

  it('a message sent while the daemon is SIGKILLed and restarted is delivered exactly once', async (t) => {
    let d = await startDaemon(t);
    const repo = await makeRepo(t);
    d.e.model.script('long-turn', [
      { tools: [{ name: 'Bash', input: { command: 'timeout 10 tail -f /dev/null; echo long', description: 'wait', timeout: 600000 } }] },
      { text: 'Long turn done.' },
      { text: 'Answered the follow-up.' },
    ]);
    const id = (await d.json('POST', '/api/v1/runs', { repo, task: 'Go [[script:long-turn]]', keepAlive: true })).body.id as string;
    await until(
      async () => {
        const ev = await d.json('GET', `/api/v1/runs/${id}/events?limit=10000`);
        return (ev.body.events as { kind: string }[]).some((e) => e.kind === 'tool_use');
      },
      'the first turn to be working',
      180_000,
      250,
    );
    assert.equal((await send(d, id, 'Follow-up across the restart')).status, 202);
    await d.kill();
    d = await d.restart();
    const done = await waitFor(d, id, 'the follow-up to be answered', (r) => r.state === 'idle' && r.resultText === 'Answered the follow-up.', 240_000);
    assert.equal(done.state, 'idle');
    const list = await d.json('GET', `/api/v1/runs/${id}/messages`);
    assert.deepEqual(
      list.body.messages.map((m: { seq: number; state: string }) => [m.seq, m.state]),
      [
        [1, 'delivered'],
        [2, 'delivered'],
      ],
    );
    const main = d.e.model.mainRequests('long-turn');
    const last = main.at(-1)!;
    assert.equal(userTexts(last.body).filter((x) => x === 'Follow-up across the restart').length, 1, 'the agent got it once');
    assert.equal(main.filter((q) => q.step === 2).length, 1, 'one turn for it');
    const stopped = await d.json('POST', `/api/v1/runs/${id}/stop`, {});
    assert.equal(stopped.body.run.state, 'completed', JSON.stringify(stopped.body.run));
  });

  it('refuses messages to a run that is not persistent, and keepAlive-only options without keepAlive', async (t) => {
    const d = await startDaemon(t);
    const repo = await makeRepo(t);
    const bad = await d.json('POST', '/api/v1/runs', { repo, task: 'x', idleTimeout: '5m' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /idleTimeout applies to persistent runs only/);
    const id = (await d.json('POST', '/api/v1/runs', { repo, task: 'Hi [[script:hello]]' })).body.id as string;
    const r = await send(d, id, 'hello?');
    assert.equal(r.status, 409);
    assert.match(r.body.error.message, /is not persistent/);
  });
});
