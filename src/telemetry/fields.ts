/** What every daemon log line carries besides its own fields: the request or run it is for, and the trace it is in. */
import { currentLogContext } from './context.ts';
import { tracer } from './tracer.ts';

export function logLineFields(): Record<string, string> {
  const ctx = currentLogContext();
  const ids = tracer().activeIds();
  if (!ctx && !ids) return {};
  return { ...ctx, ...ids };
}
