import assert from 'node:assert/strict';
import { it } from 'node:test';
import { runsTable } from '../../src/cli/commands/runs.ts';

/** A run as ls sees it, with the widest values each column can have. */
function run(over: Record<string, unknown> = {}) {
  const now = Date.now();
  return {
    id: 'abcdef012345',
    state: 'timed_out',
    type: 'mutation',
    task: 'Implement a very long task description that goes on and on\nwith more lines',
    branch: 'paddock/implement-a-very-long-task-description-that-goes-on-abcdef01',
    repo: '/src/app',
    createdAt: now - 3 * 86_400_000,
    startedAt: now - 3 * 86_400_000,
    finishedAt: now - 86_400_000 - 3_599_000,
    inputTokens: 123_456_789,
    cacheReadTokens: 1,
    cacheCreationTokens: 1,
    outputTokens: 9_999_999,
    costUsd: 1234.5,
    bringBack: true,
    headSha: 'f'.repeat(40),
    mergedAt: null,
    ...over,
  };
}

it('ls fits the width it is given, whatever the runs hold', () => {
  const runs = [
    run(),
    run({ state: 'completed', type: 'explore', bringBack: false, task: 'x', branch: 'b', costUsd: 0.0001, inputTokens: 5, outputTokens: 3 }),
    run({ mergedAt: Date.now(), task: '\x1b]0;title\x07ok' }),
  ];
  for (const width of [100, 80, 140]) {
    const lines = runsTable(runs as never, width).split('\n');
    assert.equal(lines.length, 4);
    for (const l of lines) assert.ok(l.length <= width, `${l.length} > ${width}: ${l}`);
  }
  const lines = runsTable(runs as never, 100).split('\n');
  assert.match(lines[1]!, /^abcdef012345 {2}timed_out {2}mutation {2}Implement.*… {2}paddoc\S*…\S*def01 {2}3d +\d+h?\d*m? +\d+(\.\d)?M +\$1235 +no$/);
  assert.match(lines[2]!, /explore +x +b +3d .* <\$0\.001 +-$/);
  assert.match(lines[3]!, /yes$/);
  assert.ok(!lines[3]!.includes('\x1b'), 'the task is made safe');
  assert.match(runsTable(runs as never, 100).split('\n')[0]!, /^ID +STATE +TYPE +TASK +BRANCH +AGE +TIME +TOKENS +COST +MERGED$/, 'all columns at 100');
  assert.match(runsTable(runs as never, 80).split('\n')[0]!, /^ID +STATE +TASK +BRANCH +AGE +COST +MERGED$/, 'a narrow terminal leaves some out');
});
