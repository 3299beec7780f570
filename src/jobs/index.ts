export { LIVE_STATES, RUN_STATES, RUN_PHASES, TERMINAL_STATES, isTerminal } from './states.ts';
export type { RunPhase, RunState } from './states.ts';
export { TRANSITIONS, assertTransition, canTransition } from './transitions.ts';
export { TASK_TYPES } from './run.ts';
export type { Run, TaskType } from './run.ts';
export { transitionRun, setPhase } from './run-state.ts';
export { RunSupervisor, outcome, relayDirOf } from './supervisor.ts';
export type { SupervisorDeps } from './supervisor.ts';
export { ownerAlive, self as currentOwner } from './owner.ts';
