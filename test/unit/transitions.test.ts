import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPaddockError } from '../../src/errors/index.ts';
import { RUN_STATES, TERMINAL_STATES, TRANSITIONS, assertTransition, canTransition, outcome } from '../../src/jobs/index.ts';
import type { ContainerState } from '../../src/runtime/index.ts';
import type { Run } from '../../src/jobs/index.ts';

describe('run state machine', () => {
  it('has a row for every state, and terminal states have no way out', () => {
    assert.deepEqual(Object.keys(TRANSITIONS).sort(), [...RUN_STATES].sort());
    for (const s of TERMINAL_STATES) assert.deepEqual(TRANSITIONS[s], []);
  });
  it('allows the happy path and forbids going back', () => {
    for (const [a, b] of [['pending', 'starting'], ['starting', 'running'], ['running', 'completed'], ['running', 'stalled'], ['stalled', 'running']] as const) {
      assert.ok(canTransition(a, b), `${a} → ${b}`);
    }
    assert.ok(!canTransition('completed', 'running'));
    assert.ok(!canTransition('running', 'pending'));
    assert.ok(!canTransition('pending', 'completed'));
  });
  it('throws ILLEGAL_TRANSITION naming both states', () => {
    assert.throws(() => assertTransition('r1', 'completed', 'running'), (e: unknown) => isPaddockError(e) && e.code === 'ILLEGAL_TRANSITION' && /completed to running/.test(e.message));
  });
});

describe('outcome of an exited container', () => {
  const run = { timeoutMs: 60_000, memoryBytes: 512 * 1024 ** 2, stopRequested: null } as Run;
  const c = { oomKilled: false, error: '' } as ContainerState;
  const ok = { isError: false, subtype: 'success' };
  it('completed only with exit 0 and a successful result', () => {
    assert.equal(outcome(run, c, 0, ok).state, 'completed');
    assert.equal(outcome(run, c, 0, undefined).state, 'failed');
    assert.equal(outcome(run, c, 1, ok).state, 'failed');
    assert.match(outcome(run, c, 0, { isError: true, subtype: 'error_max_turns' }).reason, /error_max_turns/);
  });
  it('names out-of-memory, timeout and stop', () => {
    assert.deepEqual(outcome(run, { ...c, oomKilled: true }, 137, undefined), { state: 'failed', reason: 'out of memory (limit 512m)' });
    assert.deepEqual(outcome({ ...run, stopRequested: 'timeout' }, c, 143, undefined), { state: 'timed_out', reason: 'timed out after 1m' });
    assert.deepEqual(outcome({ ...run, stopRequested: 'user' }, c, 143, undefined), { state: 'cancelled', reason: 'stopped by user' });
  });
});
