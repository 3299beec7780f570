/**
 * One call per outside operation (an engine API call, a git command): a debug log line with what it was, how long it
 * took and how it ended, and a span when tracing is on. Off, it costs a clock read and two boolean checks.
 */
import { type Component, loggerFor, type LogFields } from './logger.ts';
import { tracer, tracingOn, type SpanAttributes } from './tracer.ts';

export interface Tracked {
  /** Ends the operation: err when it failed, extra fields for the log line and span (e.g. the HTTP status). */
  end(err?: unknown, extra?: LogFields): void;
}

const NOTHING: Tracked = { end() {} };

export function track(component: Component, op: string, fields: LogFields): Tracked {
  const log = loggerFor(component);
  const logging = log.debugEnabled;
  // Spans only under a request or a run: the daemon's periodic reconcile would otherwise be a trace every 30 s.
  const tracing = tracingOn() && tracer().activeIds() !== undefined;
  if (!logging && !tracing) return NOTHING;
  const started = performance.now();
  const span = tracing ? tracer().startSpan(`${component} ${op}`, toAttrs(component, fields), { kind: 'client' }) : undefined;
  return {
    end(err, extra = {}) {
      const ms = Math.round((performance.now() - started) * 10) / 10;
      if (span) {
        span.setAttributes(toAttrs(component, extra));
        if (err !== undefined) span.fail(err);
        span.end();
      }
      if (logging) log.debug({ op, ...fields, ...extra, ms, ...(err === undefined ? {} : { err: errText(err) }) }, `${component} ${op}`);
    },
  };
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function toAttrs(component: Component, fields: LogFields): SpanAttributes {
  const out: SpanAttributes = {};
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[`paddock.${component}.${k}`] = v;
  }
  return out;
}
