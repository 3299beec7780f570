/** Run states. Terminal states never change again. */
/**
 * queued: accepted, waiting for a slot (at most PADDOCK_MAX_RUNNING runs hold a container); pending: its checkout and
 * container are being made; idle: a persistent run between turns (its container lives, waiting for a message).
 */
export const RUN_STATES = ['queued', 'pending', 'starting', 'running', 'stalled', 'idle', 'completed', 'failed', 'cancelled', 'timed_out', 'crashed'] as const;
export type RunState = (typeof RUN_STATES)[number];

export const TERMINAL_STATES: ReadonlySet<RunState> = new Set(['completed', 'failed', 'cancelled', 'timed_out', 'crashed']);
export const isTerminal = (s: RunState): boolean => TERMINAL_STATES.has(s);
/** States of a run that is not over. */
export const LIVE_STATES: readonly RunState[] = RUN_STATES.filter((s) => !TERMINAL_STATES.has(s));

/** Finer-grained progress within a state, shown by `paddock status`. */
export const RUN_PHASES = ['queued', 'preparing-checkout', 'creating-container', 'agent-running', 'waiting-for-message', 'collecting', 'bringing-back', 'done'] as const;
/** Runs in these states hold a container (or are about to): they count against PADDOCK_MAX_RUNNING. */
export const SLOT_STATES: readonly RunState[] = ['pending', 'starting', 'running', 'stalled', 'idle'];
export type RunPhase = (typeof RUN_PHASES)[number];
