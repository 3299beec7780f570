/**
 * The tracing port. Code that wants spans (the API's requests, runs, engine and git calls) calls this; it does
 * nothing until the daemon installs a tracer (installTracer), which happens only when PADDOCK_TRACING_ENDPOINT is set,
 * so a daemon without it never loads OpenTelemetry (otel.ts is imported lazily by startTracing).
 */

export type SpanAttributes = Record<string, string | number | boolean | undefined>;
export type SpanKind = 'internal' | 'server' | 'client';

export interface SpanHandle {
  /** Names it once more is known (a request's route, after routing). */
  setName(name: string): void;
  setAttributes(attrs: SpanAttributes): void;
  /** Marks the span failed with the error's message. */
  fail(err: unknown): void;
  /** Ends it now, or at endTime (epoch ms). */
  end(endTime?: number): void;
}

export interface SpanOptions {
  kind?: SpanKind;
  /** Epoch ms (default now): spans for what already happened, e.g. a run's time in its queue. */
  startTime?: number;
  /** The parent (default: the span active in this async context, if any). */
  parent?: SpanHandle;
  /** A trace of its own, whatever span is active (e.g. a run adopted after a restart). */
  root?: boolean;
  /** W3C trace context headers of an incoming request (traceparent, tracestate): its caller's span is the parent. */
  carrier?: Record<string, string | undefined>;
}

export interface Tracer {
  startSpan(name: string, attrs: SpanAttributes, opts?: SpanOptions): SpanHandle;
  /** Runs fn with span as the active span, so spans started inside (engine, git calls) are its children. */
  withActive<T>(span: SpanHandle, fn: () => T): T;
  /** The active span's ids, for log lines. */
  activeIds(): { traceId: string; spanId: string } | undefined;
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

const NOOP_SPAN: SpanHandle = { setName() {}, setAttributes() {}, fail() {}, end() {} };
const NOOP: Tracer = {
  startSpan: () => NOOP_SPAN,
  withActive: (_span, fn) => fn(),
  activeIds: () => undefined,
  shutdown: async () => {},
};

let current: Tracer = NOOP;

export const tracer = (): Tracer => current;
export const tracingOn = (): boolean => current !== NOOP;

export function installTracer(t: Tracer | undefined): void {
  current = t ?? NOOP;
}
