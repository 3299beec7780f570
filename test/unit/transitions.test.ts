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
    for (const [a, b] of [
      ['pending', 'starting'],
      ['starting', 'running'],
      ['running', 'completed'],
      ['running', 'stalled'],
      ['stalled', 'running'],
    ] as const) {
      assert.ok(canTransition(a, b), `${a} → ${b}`);
    }
    assert.ok(!canTransition('completed', 'running'));
    assert.ok(!canTransition('running', 'pending'));
    assert.ok(!canTransition('pending', 'completed'));
  });
  it('throws ILLEGAL_TRANSITION naming both states', () => {
    assert.throws(
      () => assertTransition('r1', 'completed', 'running'),
      (e: unknown) => isPaddockError(e) && e.code === 'ILLEGAL_TRANSITION' && /completed to running/.test(e.message),
    );
  });
});

describe('outcome of an exited container', () => {
  const run = { timeoutMs: 60_000, memoryBytes: 512 * 1024 ** 2, stopRequested: null } as Run;
  const c = { oomKilled: false, error: '' } as ContainerState;
  const ok = { isError: false, subtype: 'success' };
  it("completed or failed by the container's exit code alone: a result line (forgeable by any tool) only adds words to a failure", () => {
    assert.equal(outcome(run, c, 0, ok).state, 'completed');
    assert.equal(outcome(run, c, 0, undefined).state, 'completed');
    assert.equal(outcome(run, c, 0, { isError: true, subtype: 'error_max_turns' }).state, 'completed', 'a forged error result does not fail a run that exited 0');
    assert.equal(outcome(run, c, 1, ok).state, 'failed', 'a forged success does not complete a run that exited 1');
    assert.deepEqual(outcome(run, c, 1, { isError: true, subtype: 'error_max_turns' }), { state: 'failed', reason: 'the agent exited with code 1 (agent-reported: error_max_turns)' });
  });
  it('budget_exceeded when the gateway stopped it for its budget', () => {
    const r = outcome({ ...run, stopRequested: 'budget', stopDetail: 'budget_exceeded: $0.0300 spent of the $0.01 budget' }, c, 143, ok);
    assert.deepEqual(r, { state: 'failed', reason: 'budget_exceeded: $0.0300 spent of the $0.01 budget' });
  });
  it('names out-of-memory, timeout and stop', () => {
    assert.deepEqual(outcome(run, { ...c, oomKilled: true }, 137, undefined), { state: 'failed', reason: 'out of memory (limit 512m)' });
    assert.deepEqual(outcome({ ...run, stopRequested: 'timeout' }, c, 143, undefined), { state: 'timed_out', reason: 'timed out after 1m' });
    assert.deepEqual(outcome({ ...run, stopRequested: 'user' }, c, 143, undefined), { state: 'cancelled', reason: 'stopped by user' });
  });
});

describe('run ownership', () => {
  it('a live process is alive; a killed one and a recycled pid are not', async () => {
    const { ownerAlive } = await import('../../src/jobs/index.ts');
    const { processStart } = await import('../../src/jobs/owner.ts');
    const { spawn } = await import('node:child_process');
    const me = processStart(process.pid) ?? null;
    assert.ok(ownerAlive(process.pid, me));
    assert.ok(!ownerAlive(process.pid, 'not-my-start-time'), 'same pid, other start time: a recycled pid');
    assert.ok(!ownerAlive(null, null));
    // A killed child is not alive, whether Node has reaped it yet or it is still a zombie.
    const child = spawn('sleep', ['30']);
    const start = processStart(child.pid!) ?? null;
    assert.ok(ownerAlive(child.pid!, start));
    process.kill(child.pid!, 'SIGKILL');
    for (let i = 0; i < 50 && ownerAlive(child.pid!, start); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(!ownerAlive(child.pid!, start));
  });
});
