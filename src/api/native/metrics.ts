/**
 * GET /metrics: the Prometheus exposition of the daemon (src/app/metrics.ts decides what is in it; this only
 * serialises). Behind the same guards as every API route (a token on TCP when auth is on; Prometheus sends one with
 * `authorization`), unlike Stromboli's, which sits on a listener of its own: PADDOCK_METRICS_ADDRESS gives that too.
 * GET /api/v1/ping: the cheapest answer the API can give, for liveness probes and as the benchmark's baseline route.
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { metricsOf, type Paddock } from '../../app/index.ts';
import type { ApiEnv } from '../context.ts';
import { errorResponses, json } from '../schemas.ts';

export function registerMetricsRoutes(app: OpenAPIHono<ApiEnv>, p: Paddock): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/ping',
      tags: ['daemon'],
      summary: 'Liveness: answers at once, touching neither the engine nor the database',
      responses: { 200: json(z.object({ ok: z.literal(true) }).meta({ id: 'Ping' }), 'Alive'), ...errorResponses },
    }),
    (c) => c.json({ ok: true as const }, 200),
  );

  if (!p.config.metricsEnabled) return;
  const metrics = metricsOf(p);
  app.openapi(
    createRoute({
      method: 'get',
      path: '/metrics',
      tags: ['daemon'],
      summary: 'Prometheus metrics: runs by state, queue, spawn phases, API latency by route and status, tokens and cost, the process',
      responses: { 200: { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: z.string() } } }, ...errorResponses },
    }),
    async (c) => {
      const { contentType, body } = await metrics.render();
      return c.body(body, 200, { 'content-type': contentType }) as never;
    },
  );
}
