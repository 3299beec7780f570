/**
 * The logger port: runtime/, workspace/ and app/ log through this, never through pino (or any library) directly.
 * The daemon installs its pino logger as the sink (setLogSink); without one (the CLI, tests), debug lines go to
 * stderr through node's util.debuglog when NODE_DEBUG names them (NODE_DEBUG=paddock* for all, paddock-git for git),
 * and nothing else is written. Debug lines cost one boolean check when off: callers test `debugEnabled` first.
 */
import { debuglog, type DebugLogger } from 'node:util';

export type LogFields = Record<string, unknown>;

/** What the sink must do: pino's logger fits. */
export interface LogSink {
  debug(obj: LogFields, msg?: string): void;
  info(obj: LogFields, msg?: string): void;
  warn(obj: LogFields, msg?: string): void;
  error(obj: LogFields, msg?: string): void;
}

export interface Logger {
  /** Whether debug lines of this component are written anywhere (check before building an expensive line). */
  readonly debugEnabled: boolean;
  debug(obj: LogFields, msg: string): void;
  info(obj: LogFields, msg: string): void;
  warn(obj: LogFields, msg: string): void;
  error(obj: LogFields, msg: string): void;
}

/** The components that log, each its own NODE_DEBUG section (paddock-engine, paddock-git, …). */
export type Component = 'engine' | 'git' | 'supervisor' | 'api' | 'daemon' | 'tracing' | 'policy';

let sink: LogSink | undefined;
let sinkDebug = false;
const sections = new Map<Component, DebugLogger>();

/**
 * Routes every component's lines to the sink from now on. debug: the sink's level lets debug lines through
 * (PADDOCK_LOG_LEVEL=debug or trace); otherwise only components named in NODE_DEBUG write debug lines.
 */
export function setLogSink(s: LogSink | undefined, opts: { debug: boolean } = { debug: false }): void {
  sink = s;
  sinkDebug = opts.debug;
}

/** Whether NODE_DEBUG names any paddock section (the daemon then lets debug lines through its sink). */
export function nodeDebugWantsPaddock(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.NODE_DEBUG ?? '').split(/[\s,]+/).some((s) => /^paddock/i.test(s) || s === '*');
}

function section(c: Component): DebugLogger {
  let d = sections.get(c);
  if (!d) sections.set(c, (d = debuglog(`paddock-${c}`)));
  return d;
}

export function loggerFor(component: Component): Logger {
  const line = (obj: LogFields) => ({ component, ...obj });
  return {
    get debugEnabled() {
      return (sink !== undefined && sinkDebug) || section(component).enabled;
    },
    debug(obj, msg) {
      if (sink && (sinkDebug || section(component).enabled)) sink.debug(line(obj), msg);
      else if (section(component).enabled) section(component)('%s %j', msg, obj);
    },
    info: (obj, msg) => sink?.info(line(obj), msg),
    warn: (obj, msg) => sink?.warn(line(obj), msg),
    error: (obj, msg) => sink?.error(line(obj), msg),
  };
}
