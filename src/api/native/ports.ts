/** A live run's port previews under /api/v1 (docs/services.md): handlers only map app/ports.ts. */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { type Paddock, runPorts } from '../../app/index.ts';
import type { ApiEnv } from '../context.ts';
import { errorResponses, json } from '../schemas.ts';

const runPortsSchema = z
  .object({
    runId: z.string(),
    ports: z.array(
      z.object({
        port: z.number().int().describe('The port listening inside the run (its own ports; not Paddock’s bridges)'),
        address: z.string().describe('The address it listens on there'),
        url: z.string().describe('A loopback URL on the daemon’s machine that Paddock forwards into the run, one connection at a time'),
      }),
    ),
  })
  .meta({ id: 'RunPorts' });

export function registerPortRoutes(app: OpenAPIHono<ApiEnv>, p: Paddock): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/runs/{id}/ports',
      tags: ['runs'],
      summary: 'The ports listening in a live run (its dev servers, its services), each with a preview URL Paddock forwards',
      request: { params: z.object({ id: z.string().min(1).max(64).describe('Run id, or a unique prefix of it') }) },
      responses: { 200: json(runPortsSchema, 'The ports'), ...errorResponses },
    }),
    async (c) => c.json(await runPorts(p, c.req.valid('param').id), 200),
  );
}
