/** Logs, request/run context and traces: the ports the rest of Paddock uses (no logging or tracing library here). */
export { currentLogContext, withRequestContext, withRunContext } from './context.ts';
export type { LogContext } from './context.ts';
export { loggerFor, nodeDebugWantsPaddock, setLogSink } from './logger.ts';
export type { Component, Logger, LogFields, LogSink } from './logger.ts';
export { installTracer, tracer, tracingOn } from './tracer.ts';
export { logLineFields } from './fields.ts';
export type { SpanAttributes, SpanHandle, SpanKind, SpanOptions, Tracer } from './tracer.ts';
export { track } from './track.ts';
export type { Tracked } from './track.ts';
