import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CompareEntry, memberLabels, rankEntries } from '../../src/app/groups.ts';

const entry = (label: string, over: Partial<CompareEntry>): CompareEntry => ({
  rank: 0,
  label,
  cli: label,
  runId: label,
  branch: `b-${label}`,
  state: 'completed',
  reason: null,
  ended: true,
  filesChanged: 1,
  insertions: 1,
  deletions: 0,
  inputTokens: 10,
  outputTokens: 5,
  costUsd: 0.01,
  durationMs: 1000,
  check: null,
  ...over,
});
const check = (passed: boolean) => ({ headSha: 'x', exitCode: passed ? 0 : 1, passed, error: null, outputTail: '', durationMs: 1, checkedAt: 1 });

describe('run groups: labels and ranking', () => {
  it('labels each member by its CLI, numbered only when a CLI runs more than once', () => {
    assert.deepEqual(
      memberLabels(['claude', 'codex'], 1).map((m) => m.label),
      ['claude', 'codex'],
    );
    assert.deepEqual(
      memberLabels(['codex'], 3).map((m) => m.label),
      ['codex-1', 'codex-2', 'codex-3'],
    );
    assert.deepEqual(
      memberLabels(['a', 'b'], 2).map((m) => `${m.cli}:${m.label}`),
      ['a:a-1', 'a:a-2', 'b:b-1', 'b:b-2'],
    );
  });

  it('ranks completed first, then a passed check over none over a failed one, then cost, then time; ties keep the order', () => {
    const ranked = rankEntries([
      entry('failed', { state: 'failed' }),
      entry('running', { state: 'running', ended: false, costUsd: null, durationMs: null }),
      entry('check-failed', { check: check(false), costUsd: 0.001 }),
      entry('no-check-dear', { costUsd: 0.5 }),
      entry('no-check-cheap', { costUsd: 0.02 }),
      entry('passed-slow', { check: check(true), durationMs: 9000 }),
      entry('passed-quick', { check: check(true), durationMs: 2000 }),
      entry('passed-quick-too', { check: check(true), durationMs: 2000 }),
    ]);
    assert.deepEqual(
      ranked.map((e) => `${e.rank}:${e.label}`),
      ['1:passed-quick', '2:passed-quick-too', '3:passed-slow', '4:no-check-cheap', '5:no-check-dear', '6:check-failed', '7:running', '8:failed'],
    );
  });
});
