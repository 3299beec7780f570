import { ErrorCode, type RunState } from '../app/light.ts';

/** CLI exit codes: one per error code, and per final run state for commands that follow a run. */
export const EXIT_FOR_ERROR: Record<ErrorCode, number> = {
  [ErrorCode.InvalidInput]: 2,
  [ErrorCode.InvalidConfig]: 2,
  [ErrorCode.Forbidden]: 2,
  [ErrorCode.NotFound]: 3,
  [ErrorCode.Conflict]: 4,
  [ErrorCode.MergeConflict]: 4,
  [ErrorCode.EngineUnavailable]: 5,
  [ErrorCode.ImageNotFound]: 6,
  [ErrorCode.GitFailed]: 7,
  [ErrorCode.Unauthorized]: 8,
  [ErrorCode.RateLimited]: 9,
  [ErrorCode.PayloadTooLarge]: 2,
  [ErrorCode.DaemonUnavailable]: 10,
  [ErrorCode.IllegalTransition]: 70,
  [ErrorCode.Internal]: 70,
};

/** Exit code of a failure that is Paddock's own bug (not the user's input, not the engine). */
export const EXIT_INTERNAL = 70;

/**
 * `spawn` left by Ctrl-C: the run goes on and its outcome is not known yet (75, EX_TEMPFAIL: "not done yet").
 * Distinct from 0 (completed) and 130 (the run was cancelled), so a script can tell them apart.
 * `logs -f` left by Ctrl-C exits 0: it only stopped watching.
 */
export const EXIT_DETACHED = 75;

/** Every exit code of the CLI, in one place (docs/cli.md is generated from this list). */
export const EXIT_CODES: readonly { code: number; short: string; meaning: string }[] = [
  {
    code: 0,
    short: 'ok',
    meaning: 'success; for a command following a run (`spawn`, `resume`, `logs -f`): the run completed. `merge` with nothing to merge, and `logs -f` left with Ctrl-C, also exit 0',
  },
  { code: 1, short: 'run failed', meaning: 'the run followed failed (agent error, out of memory, non-zero exit); `doctor`: a check failed' },
  { code: 2, short: 'invalid input', meaning: 'invalid input or configuration (a bad flag, value, task, repo or setting)' },
  { code: 3, short: 'not found', meaning: 'not found (no such run)' },
  { code: 4, short: 'conflict', meaning: 'conflict (branch taken, run still live, merge conflict, working tree not clean)' },
  { code: 5, short: 'no engine', meaning: 'no container engine reachable' },
  { code: 6, short: 'no image', meaning: 'agent image missing' },
  { code: 7, short: 'git failed', meaning: 'git failed' },
  { code: 8, short: 'unauthorized', meaning: 'the daemon refused the credentials (PADDOCK_TOKEN missing, wrong or revoked)' },
  { code: 9, short: 'rate limited', meaning: 'the daemon is rate limiting this client; try again shortly' },
  { code: 10, short: 'no daemon', meaning: 'the daemon could not be reached (PADDOCK_URL), or the local one would not start (see `paddock daemon logs`)' },
  { code: 70, short: 'internal error', meaning: 'internal error: a bug in Paddock (PADDOCK_DEBUG=1 shows where)' },
  { code: 71, short: 'run crashed', meaning: 'the run followed crashed (its container vanished, or its spawn was interrupted)' },
  {
    code: EXIT_DETACHED,
    short: 'spawn detached',
    meaning:
      '`spawn` or `resume` detached with Ctrl-C, or `shell` (and `spawn --interactive`) with Ctrl-]: the run goes on, its outcome is not known yet (follow it: `paddock logs -f <id>`; rejoin a terminal: `paddock shell --attach <id>`)',
  },
  { code: 124, short: 'run timed out', meaning: 'the run followed timed out' },
  { code: 130, short: 'run cancelled', meaning: 'the run followed was cancelled (`paddock stop`)' },
];

export function exitForState(state: RunState): number {
  switch (state) {
    case 'completed':
      return 0;
    case 'timed_out':
      return 124;
    case 'cancelled':
      return 130;
    case 'crashed':
      return 71;
    default:
      return 1;
  }
}

/** One line for `paddock --help`. */
export const EXIT_CODES_LINE = `Exit codes: ${EXIT_CODES.map((c) => `${c.code} ${c.short}`).join(', ')}.`;
