/** Usage counting in the relay's tap, pricing, the store's live-run guards, and long timers (fake clock). */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, mock } from 'node:test';
import { costOf, UsageTap, type UsageIncrement } from '../../src/gateway/index.ts';
import { armAt } from '../../src/jobs/supervisor.ts';
import { runRow } from '../fixtures/run-row.ts';
import { openDb } from '../../src/store/db.ts';
import { RunsRepo } from '../../src/store/runs-repo.ts';
import { EventLog } from '../../src/events/index.ts';

const sse = (type: string, data: object) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const total = (incs: UsageIncrement[]) =>
  incs.reduce(
    (a, u) => ({
      inputTokens: a.inputTokens + u.inputTokens,
      outputTokens: a.outputTokens + u.outputTokens,
      cacheReadTokens: a.cacheReadTokens + u.cacheReadTokens,
      cacheCreationTokens: a.cacheCreationTokens + u.cacheCreationTokens,
    }),
    { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 },
  );

describe('usage tap', () => {
  const stream = [
    sse('message_start', { message: { id: 'm', model: 'claude-opus-5-5', usage: { input_tokens: 1000, cache_read_input_tokens: 200, cache_creation_input_tokens: 30, output_tokens: 1 } } }),
    sse('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'data: {"type":"message_start"} is text, not an event' } }),
    sse('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 50 } }),
    sse('message_stop', {}),
  ].join('');

  it('counts a streamed message once, whatever the chunking (even one byte at a time)', () => {
    for (const size of [1, 7, 64, stream.length]) {
      const incs: UsageIncrement[] = [];
      const tap = new UsageTap('text/event-stream; charset=utf-8', (u) => incs.push(u));
      for (let i = 0; i < stream.length; i += size) tap.write(Buffer.from(stream.slice(i, i + size)));
      tap.end();
      assert.deepEqual(total(incs), { inputTokens: 1000, outputTokens: 50, cacheReadTokens: 200, cacheCreationTokens: 30 }, `chunks of ${size}`);
      assert.ok(incs.every((u) => u.model === 'claude-opus-5-5'));
    }
  });

  it('reports the start at once, so a stream cut off before its end still counts its input', () => {
    const incs: UsageIncrement[] = [];
    const tap = new UsageTap('text/event-stream', (u) => incs.push(u));
    tap.write(Buffer.from(stream.slice(0, stream.indexOf('message_delta'))));
    assert.equal(total(incs).inputTokens, 1000);
  });

  it('takes running totals of input in message_delta as totals, not as more', () => {
    const incs: UsageIncrement[] = [];
    const tap = new UsageTap('text/event-stream', (u) => incs.push(u));
    tap.write(Buffer.from(sse('message_start', { message: { model: 'm', usage: { input_tokens: 10, output_tokens: 1 } } })));
    tap.write(Buffer.from(sse('message_delta', { usage: { input_tokens: 10, output_tokens: 5 } })));
    tap.write(Buffer.from(sse('message_delta', { usage: { input_tokens: 12, output_tokens: 9 } })));
    tap.end();
    assert.deepEqual(total(incs), { inputTokens: 12, outputTokens: 9, cacheReadTokens: 0, cacheCreationTokens: 0 });
  });

  it('counts a plain JSON reply, and ignores what is not a message', () => {
    const incs: UsageIncrement[] = [];
    const tap = new UsageTap('application/json', (u) => incs.push(u));
    tap.write(Buffer.from(JSON.stringify({ type: 'message', model: 'claude-sonnet-4-5', usage: { input_tokens: 7, output_tokens: 3 } })));
    tap.end();
    assert.deepEqual(total(incs), { inputTokens: 7, outputTokens: 3, cacheReadTokens: 0, cacheCreationTokens: 0 });
    const none: UsageIncrement[] = [];
    const other = new UsageTap('application/json', (u) => none.push(u));
    other.write(Buffer.from('{"type":"error","usage":{"input_tokens":5}}'));
    other.end();
    const junk = new UsageTap('text/event-stream', (u) => none.push(u));
    junk.write(Buffer.from(`data: ${'x'.repeat(3 << 20)}\n\ndata: {not json}\n\n`));
    junk.end();
    assert.deepEqual(none, []);
  });

  it('prices what it counted; an unknown model has no price rather than a guess', () => {
    assert.equal(costOf('claude-opus-5-5', { inputTokens: 1000, outputTokens: 50, cacheReadTokens: 0, cacheCreationTokens: 0 }), 0.005);
    assert.ok(Math.abs((costOf('claude-sonnet-4-5', { inputTokens: 1e6, outputTokens: 0, cacheReadTokens: 1e6, cacheCreationTokens: 1e6 }) ?? 0) - (3 + 0.3 + 3.75)) < 1e-9);
    assert.equal(costOf('claude-scripted', { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheCreationTokens: 0 }), undefined);
  });
});

const run = runRow;

describe('store guards (a real SQLite file)', () => {
  const repo = () => new RunsRepo(openDb(join(mkdtempSync(join(tmpdir(), 'paddock-guard-')), 'p.db')));

  it('refuses a second live run on one branch of a repo, and allows it once the first has ended', () => {
    const runs = repo();
    runs.insert(run('a1'));
    assert.throws(() => runs.insert(run('a2')), /UNIQUE constraint failed/);
    runs.insert(run('a3', { branch: 'other' }));
    runs.insert(run('a4', { repo: '/elsewhere' }));
    runs.update('a1', { state: 'completed' });
    runs.insert(run('a2'));
  });

  it('refuses a second live run of one agent session', () => {
    const runs = repo();
    runs.insert(run('b1', { sessionId: 'same' }));
    assert.throws(() => runs.insert(run('b2', { branch: 'b2', sessionId: 'same' })), /UNIQUE constraint failed: runs.session_id/);
    assert.equal(runs.liveRunOfSession('same')?.id, 'b1');
  });

  it("adds usage live, and a session total is the sum of its runs' own shares", () => {
    const runs = repo();
    runs.insert(run('c1', { sessionId: 'sess', state: 'completed' }));
    runs.insert(run('c2', { sessionId: 'sess', branch: 'c2' }));
    runs.addUsage('c1', { inputTokens: 10, outputTokens: 1, cacheReadTokens: 0, cacheCreationTokens: 0 }, 0.001);
    runs.addUsage('c2', { inputTokens: 20, outputTokens: 2, cacheReadTokens: 3, cacheCreationTokens: 4 }, 0.002);
    runs.addUsage('c2', { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheCreationTokens: 0 }, undefined);
    assert.equal(runs.get('c2')?.inputTokens, 21);
    assert.equal(runs.get('c2')?.costUsd, 0.002);
    const s = runs.sessionUsage('sess');
    assert.deepEqual({ ...s, costUsd: Number(s.costUsd?.toFixed(6)) }, { sessionId: 'sess', runs: 2, inputTokens: 31, outputTokens: 4, cacheReadTokens: 3, cacheCreationTokens: 4, costUsd: 0.003 });
  });

  it('finds the result event however many events came before it', () => {
    const db = openDb(join(mkdtempSync(join(tmpdir(), 'paddock-guard-')), 'p.db'));
    const runs = new RunsRepo(db);
    runs.insert(run('d1'));
    const log = new EventLog(db);
    const lines = Array.from({ length: 10_050 }, (_, i) => ({ stream: 'stdout' as const, index: i, text: '', events: [{ kind: 'text' as const, text: `${i}` }] }));
    log.ingest('d1', lines);
    log.ingest('d1', [
      {
        stream: 'stdout',
        index: 10_050,
        text: '',
        events: [
          {
            kind: 'result',
            subtype: 'success',
            isError: false,
            result: 'ok',
            sessionId: 's',
            numTurns: 1,
            durationMs: 1,
            costUsd: 0,
            usage: { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheCreationTokens: 0 },
          },
        ],
      },
    ]);
    assert.equal(log.lastOfKind('d1', 'result')?.seq, 10_051);
    assert.equal(
      log.list('d1').some((e) => e.kind === 'result'),
      false,
      'the capped list would have missed it (the old bug)',
    );
  });
});

describe('long timers (fake clock)', () => {
  it('fires a timeout of 600 hours after 600 hours, not at once (Node timers overflow past 24.8 days)', (t) => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    t.after(() => mock.timers.reset());
    let fired = 0;
    armAt(600 * 3600_000, () => fired++);
    mock.timers.tick(1);
    assert.equal(fired, 0);
    mock.timers.tick(599 * 3600_000);
    assert.equal(fired, 0, 'not after 599 hours');
    mock.timers.tick(3600_000);
    assert.equal(fired, 1, 'at 600 hours (25 days)');
  });
  it('can be cancelled between steps', (t) => {
    mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 0 });
    t.after(() => mock.timers.reset());
    let fired = 0;
    const cancel = armAt(60 * 24 * 3600_000, () => fired++);
    mock.timers.tick(2 ** 31);
    cancel();
    mock.timers.tick(60 * 24 * 3600_000);
    assert.equal(fired, 0);
  });
});
