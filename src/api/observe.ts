/**
 * Per request: the request's log context (every log line written while serving it carries its id, down to the engine
 * and git calls), a server span when tracing is on (a caller's W3C traceparent is honoured), and the latency and
 * status counted for /metrics by route pattern. Runs right after the request id is set.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { metricsOf, type Paddock, tracer, tracingOn, withRequestContext } from '../app/index.ts';
import type { ApiEnv } from './context.ts';

/** The route pattern that answered (e.g. /api/v1/runs/:id), or "unmatched": raw paths carry ids, one series each. */
export function routeOf(c: Context): string {
  return matchedRoutes(c).findLast((r) => r.method !== 'ALL')?.path ?? 'unmatched';
}

export function observe(p: Paddock): MiddlewareHandler<ApiEnv> {
  const metrics = p.config.metricsEnabled ? metricsOf(p) : undefined;
  return async (c, next) => {
    const id = c.get('requestId');
    const started = performance.now();
    const span = tracingOn()
      ? tracer().startSpan(
          c.req.method,
          { 'http.request.method': c.req.method, 'url.path': c.req.path, 'paddock.request_id': id },
          {
            kind: 'server',
            carrier: { traceparent: c.req.header('traceparent'), tracestate: c.req.header('tracestate') },
          },
        )
      : undefined;
    try {
      await (span ? tracer().withActive(span, () => withRequestContext(id, next)) : withRequestContext(id, next));
    } finally {
      const route = routeOf(c);
      const status = c.res.status;
      metrics?.observeRequest(c.req.method, route, status, (performance.now() - started) / 1000);
      if (span) {
        span.setName(`${c.req.method} ${route}`);
        span.setAttributes({ 'http.route': route, 'http.response.status_code': status });
        if (status >= 500) span.fail(new Error(`HTTP ${status}`));
        span.end();
      }
    }
  };
}
