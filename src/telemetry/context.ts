/**
 * What the code running now is doing on whose behalf: the API request (its id) or the run it supervises. Every log
 * line written through the logger port carries it, so one request's or one run's lines can be picked out of the
 * daemon's log, including the engine and git calls made for it deep below the route.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface LogContext {
  requestId?: string;
  runId?: string;
}

const store = new AsyncLocalStorage<LogContext>();

export const currentLogContext = (): LogContext | undefined => store.getStore();

/** Runs fn with the context of the request serving it. */
export function withRequestContext<T>(requestId: string, fn: () => T): T {
  return store.run({ requestId }, fn);
}

/**
 * Runs fn (a run's supervision) with the run as its context, and nothing of the caller's: a run started while a
 * request was being served outlives it, and its lines must not carry that request's id for hours.
 */
export function withRunContext<T>(runId: string, fn: () => T): T {
  return store.run({ runId }, fn);
}
