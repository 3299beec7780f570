/**
 * The part of app/ a thin client needs, and nothing that loads the engine, the database or git: error codes and
 * errors, units, states, the version, and the views' types. The CLI imports this (it talks to the daemon), so
 * `paddock ls` does not load what only the daemon uses.
 */
export { ErrorCode, PaddockError, isPaddockError, invalidInput, notFound } from '../errors/index.ts';
export { formatBytes, formatDuration, parseDuration } from '../config/units.ts';
export { isTerminal, LIVE_STATES, RUN_STATES, TERMINAL_STATES } from '../jobs/states.ts';
export type { RunPhase, RunState } from '../jobs/states.ts';
export { TASK_TYPES } from '../jobs/run.ts';
export type { TaskType } from '../jobs/run.ts';
export { VERSION } from './version.ts';
export type { RunView } from './views.ts';
export type { GroupComparison } from './groups.ts';
export type { StoredEvent } from '../events/event-log.ts';
export type { Check } from './doctor.ts';
export type { GcItem } from './gc.ts';
export type { RemovedRun } from './rm.ts';
export type { RunDiffFile } from './git-ops.ts';
export type { SessionView } from './sessions.ts';
export type { NetworkMode, RunNetworkView } from './network.ts';
export { STACKS } from '../images/stack-names.ts';
export type { ImageDetailView, ImageView, StackBuildResult } from './image-catalog.ts';
