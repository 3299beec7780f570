/**
 * What Podman's compat API does differently from Docker's, in one place (a strategy per engine kind): every other part of
 * the adapter speaks the same Docker Engine API to both. The findings behind each entry are in docs/runtime.md.
 */
import type { EngineKind } from '../port.ts';
import { PollingLogFollower, StreamLogFollower } from './log-followers.ts';
import type { LogFollower, LogSource } from './logs.ts';

export interface EngineDialect {
  /** How a followed log is read to its end. */
  logFollower(source: LogSource): LogFollower;
}

const DOCKER: EngineDialect = {
  logFollower: (source) => new StreamLogFollower(source),
};

const PODMAN: EngineDialect = {
  // Its followed stream drops and repeats lines under load: polling plain reads instead.
  logFollower: (source) => new PollingLogFollower(source),
};

export function dialectOf(kind: EngineKind): EngineDialect {
  return kind === 'podman' ? PODMAN : DOCKER;
}
