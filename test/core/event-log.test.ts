import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EventLog } from '../../src/events/index.ts';
import { runRow } from '../fixtures/run-row.ts';
import { openDb } from '../../src/store/db.ts';
import { RunsRepo } from '../../src/store/runs-repo.ts';

function fixture() {
  const db = openDb(join(mkdtempSync(join(tmpdir(), 'paddock-ev-')), 'p.db'));
  const runs = new RunsRepo(db);
  const run = runRow('abc123', { sessionId: 's', timeoutMs: 1, memoryBytes: 1 });
  runs.insert(run);
  return { db, runs, log: new EventLog(db), run };
}

const line = (i: number, text = `line ${i}`) => ({ stream: 'stdout' as const, index: i, text, events: [{ kind: 'text' as const, text }] });

describe('event log', () => {
  it('round-trips a run row through the store', () => {
    const { runs, run } = fixture();
    assert.deepEqual({ ...runs.get(run.id), updatedAt: 1 }, run);
  });
  it('gives increasing ids per run and never stores a line twice when the log is re-read', () => {
    const { log, runs, run } = fixture();
    log.ingest(run.id, [line(0), line(1), line(2)]);
    log.append(run.id, { kind: 'note', message: 'restarted' });
    // A new supervisor re-reads the container log from the start: lines 0..2 again, then 3..4.
    log.ingest(run.id, [line(0), line(1), line(2), line(3), line(4)]);
    log.ingest(run.id, [
      { stream: 'stderr', index: 0, text: 'warn', events: [] },
      { stream: 'stderr', index: 0, text: 'warn', events: [] },
    ]);
    const events = log.list(run.id);
    assert.deepEqual(
      events.map((e) => e.seq),
      [1, 2, 3, 4, 5, 6, 7],
    );
    assert.deepEqual(
      events.filter((e) => e.kind === 'text').map((e) => e.data.text),
      ['line 0', 'line 1', 'line 2', 'line 3', 'line 4'],
    );
    assert.equal(events.filter((e) => e.kind === 'stderr').length, 1);
    assert.equal(runs.get(run.id)?.stdoutLines, 5);
    assert.equal(runs.get(run.id)?.stderrLines, 1);
  });
  it('follow yields history, then live events, and ends with the run', async () => {
    const { log, run } = fixture();
    log.ingest(run.id, [line(0)]);
    let done = false;
    const seen: number[] = [];
    const following = (async () => {
      for await (const e of log.follow(run.id, { isDone: () => done, pollMs: 20 })) seen.push(e.seq);
    })();
    await new Promise((r) => setTimeout(r, 30));
    log.ingest(run.id, [line(1), line(2)]);
    await new Promise((r) => setTimeout(r, 30));
    done = true;
    await following;
    assert.deepEqual(seen, [1, 2, 3]);
  });
});
