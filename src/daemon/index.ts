export { startDaemon, socketPathOf } from './serve.ts';
export type { RunningDaemon, ServeOptions } from './serve.ts';
export { daemonFile, isAlive, readDaemonRecord } from './lock.ts';
export type { DaemonRecord } from './lock.ts';
