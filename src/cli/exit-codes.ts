import { ErrorCode } from '../errors/index.ts';
import type { RunState } from '../jobs/index.ts';

/** CLI exit codes: one per error code, and per final run state for commands that follow a run. */
export const EXIT_FOR_ERROR: Record<ErrorCode, number> = {
  [ErrorCode.InvalidInput]: 2,
  [ErrorCode.InvalidConfig]: 2,
  [ErrorCode.NotFound]: 3,
  [ErrorCode.Conflict]: 4,
  [ErrorCode.MergeConflict]: 4,
  [ErrorCode.EngineUnavailable]: 5,
  [ErrorCode.ImageNotFound]: 6,
  [ErrorCode.GitFailed]: 7,
  [ErrorCode.IllegalTransition]: 70,
  [ErrorCode.Internal]: 70,
};

/** Exit code of a failure that is Paddock's own bug (not the user's input, not the engine). */
export const EXIT_INTERNAL = 70;

export function exitForState(state: RunState): number {
  switch (state) {
    case 'completed': return 0;
    case 'timed_out': return 124;
    case 'cancelled': return 130;
    case 'crashed': return 71;
    default: return 1;
  }
}
