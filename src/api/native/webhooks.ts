/** A run's webhook delivery, under /api/v1: where it goes and how delivery went (attempts, last answer, next try). */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { type Paddock, webhookStatus, webhookStatusSchema } from '../../app/index.ts';
import type { ApiEnv } from '../context.ts';
import { errorResponses, json } from '../schemas.ts';

export function registerWebhookRoutes(app: OpenAPIHono<ApiEnv>, p: Paddock): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/runs/{id}/webhook',
      tags: ['runs'],
      summary: "The run's webhook: its target and delivery state",
      request: { params: z.object({ id: z.string().min(1).max(64).describe('Run id, or a unique prefix of it') }) },
      responses: { 200: json(webhookStatusSchema, 'The delivery'), ...errorResponses },
    }),
    (c) => c.json(webhookStatus(p, c.req.valid('param').id), 200),
  );
}
