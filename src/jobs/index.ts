export { LIVE_STATES, RUN_STATES, RUN_PHASES, SLOT_STATES, TERMINAL_STATES, isTerminal } from './states.ts';
export type { RunPhase, RunState } from './states.ts';
export { TRANSITIONS, assertTransition, canTransition } from './transitions.ts';
export { INTERACTIVE_KINDS, TASK_TYPES } from './run.ts';
export type { Interactive, Run, StopRequest, TaskType, WorkspaceKind } from './run.ts';
export { transitionRun, setPhase } from './run-state.ts';
export { RunSupervisor, outcome, relayDirOf } from './supervisor.ts';
export type { SupervisorDeps } from './supervisor.ts';
export { newOwner, ownedBy, ownerAlive, retireOwner } from './owner.ts';
export { closeInput, Conversation, INPUT_CLOSED_MARKER, INPUT_SOCKET, IN_CONTAINER_INPUT_SOCKET, turnOfNote } from './conversation.ts';

export type { Owner } from './owner.ts';
