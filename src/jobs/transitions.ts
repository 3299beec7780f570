import { ErrorCode, PaddockError } from '../errors/index.ts';
import type { RunState } from './states.ts';

/** Every legal move, in one table. Anything else is a bug and throws. */
export const TRANSITIONS: Readonly<Record<RunState, readonly RunState[]>> = {
  queued: ['pending', 'failed', 'cancelled', 'crashed'],
  pending: ['starting', 'failed', 'cancelled', 'crashed'],
  starting: ['running', 'failed', 'cancelled', 'timed_out', 'crashed'],
  running: ['stalled', 'idle', 'completed', 'failed', 'cancelled', 'timed_out', 'crashed'],
  stalled: ['running', 'idle', 'completed', 'failed', 'cancelled', 'timed_out', 'crashed'],
  idle: ['running', 'completed', 'failed', 'cancelled', 'timed_out', 'crashed'],
  completed: [],
  failed: [],
  cancelled: [],
  timed_out: [],
  crashed: [],
};

export function canTransition(from: RunState, to: RunState): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(runId: string, from: RunState, to: RunState): void {
  if (!canTransition(from, to)) {
    throw new PaddockError(ErrorCode.IllegalTransition, `run ${runId} cannot go from ${from} to ${to}`, {
      hint: from === to ? undefined : `legal moves from ${from}: ${TRANSITIONS[from].join(', ') || 'none (it has ended)'}`,
    });
  }
}
