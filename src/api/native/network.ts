/** A run's network log under /api/v1: the mode, the rules in force, counters and the attempts. Handlers only map. */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { NETWORK_MODES, type Paddock, runNetwork } from '../../app/index.ts';
import type { ApiEnv } from '../context.ts';
import { errorResponses, json } from '../schemas.ts';

const attemptSchema = z
  .object({
    seq: z.number().int().describe('1, 2, … per run, in the order the attempts ended'),
    ts: z.number().describe('When the attempt came in, epoch milliseconds'),
    host: z.string().describe('The host asked for (a name, or an IP address)'),
    port: z.number().int(),
    method: z.string().describe('CONNECT (a tunnel, TLS as it is), or the plain HTTP method'),
    address: z.string().nullable().describe('The address dialled (allowed), or the one refused after resolution'),
    allowed: z.boolean(),
    rule: z.string().nullable().describe('The allow rule that matched'),
    reason: z.string().nullable().describe('Why it was refused (or why an allowed connection failed)'),
    bytesUp: z.number().int().describe('Bytes from the run (request body, or tunnel bytes out)'),
    bytesDown: z.number().int().describe('Bytes to the run (response body, or tunnel bytes in)'),
    durationMs: z.number().int(),
  })
  .meta({ id: 'NetworkAttempt' });

export const runNetworkSchema = z
  .object({
    runId: z.string(),
    mode: z.enum(NETWORK_MODES).describe('none: no network; proxy: through the egress proxy only; open: a bridge network (not logged)'),
    allow: z.array(z.string()).describe('The allow rules in force (the server defaults and the run’s own)'),
    summary: z
      .object({
        attempts: z.number().int(),
        allowed: z.number().int(),
        denied: z.number().int(),
        bytesUp: z.number().int(),
        bytesDown: z.number().int(),
        dropped: z.number().int().describe('Attempts past PADDOCK_EGRESS_LOG_MAX: counted, not kept'),
      })
      .describe('Over every attempt, also those not kept'),
    attempts: z.array(attemptSchema),
  })
  .meta({ id: 'RunNetwork' });

export function registerNetworkRoutes(app: OpenAPIHono<ApiEnv>, p: Paddock): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/runs/{id}/network',
      tags: ['runs'],
      summary: "A run's network: its mode, allow rules, and every connection attempt its egress proxy saw (allowed or denied, bytes each way)",
      request: {
        params: z.object({ id: z.string().min(1).max(64).describe('Run id, or a unique prefix of it') }),
        query: z.object({
          after: z.coerce.number().int().min(0).optional().describe('Only attempts with a greater seq'),
          limit: z.coerce.number().int().min(0).max(10000).optional().describe('At most this many attempts (0: the summary only)'),
        }),
      },
      responses: { 200: json(runNetworkSchema, "The run's network"), ...errorResponses },
    }),
    (c) => {
      const q = c.req.valid('query');
      return c.json(runNetwork(p, c.req.valid('param').id, { ...(q.after !== undefined ? { after: q.after } : {}), ...(q.limit !== undefined ? { limit: q.limit } : {}) }), 200);
    },
  );
}
