/** Run states. Terminal states never change again. */
export const RUN_STATES = ['pending', 'starting', 'running', 'stalled', 'completed', 'failed', 'cancelled', 'timed_out', 'crashed'] as const;
export type RunState = (typeof RUN_STATES)[number];

export const TERMINAL_STATES: ReadonlySet<RunState> = new Set(['completed', 'failed', 'cancelled', 'timed_out', 'crashed']);
export const isTerminal = (s: RunState): boolean => TERMINAL_STATES.has(s);
/** States of a run that is not over: someone owns it (the spawning process, then a supervisor). */
export const LIVE_STATES: readonly RunState[] = RUN_STATES.filter((s) => !TERMINAL_STATES.has(s));

/** Finer-grained progress within a state, shown by `paddock status`. */
export const RUN_PHASES = ['queued', 'preparing-checkout', 'creating-container', 'agent-running', 'collecting', 'bringing-back', 'done'] as const;
export type RunPhase = (typeof RUN_PHASES)[number];
