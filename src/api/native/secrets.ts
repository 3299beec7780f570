/**
 * Secrets under /api/v1 (what `paddock secret` calls): list and show metadata, set (create or replace) from the
 * body, remove. No route ever returns a value.
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { deleteSecret, listSecrets, type Paddock, secretInfo, setSecret } from '../../app/index.ts';
import type { ApiEnv } from '../context.ts';
import { errorResponses, json } from '../schemas.ts';

const secretSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    createdAt: z.number().describe('ms since the epoch'),
    updatedAt: z.number().describe('ms since the epoch: when the value was last set'),
  })
  .meta({ id: 'Secret' });

const nameParam = z.object({ name: z.string().describe('Secret name: letters, digits, _ . - (at most 253)') });

export function registerSecretRoutes(app: OpenAPIHono<ApiEnv>, p: Paddock): void {
  const tags = ['secrets'];
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/secrets',
      tags,
      summary: 'Stored secrets (names and dates; never a value)',
      responses: { 200: json(z.object({ secrets: z.array(secretSchema) }), 'Secrets'), ...errorResponses },
    }),
    (c) => c.json({ secrets: listSecrets(p) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/secrets/{name}',
      tags,
      summary: "A secret's metadata",
      request: { params: nameParam },
      responses: { 200: json(secretSchema, 'The secret'), ...errorResponses },
    }),
    (c) => c.json(secretInfo(p, c.req.valid('param').name), 200),
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/api/v1/secrets/{name}',
      tags,
      summary: 'Create or replace a secret (stored encrypted, outside the database)',
      request: { params: nameParam, body: { required: true, content: { 'application/json': { schema: z.object({ value: z.string().min(1).describe('The value (at most 1 MiB)') }).strict() } } } },
      responses: { 200: json(z.object({ secret: secretSchema, replaced: z.boolean() }), 'Stored'), ...errorResponses },
    }),
    (c) => {
      const r = setSecret(p, c.req.valid('param').name, c.req.valid('json').value, { replace: true });
      return c.json({ secret: r.info, replaced: r.replaced }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/secrets/{name}',
      tags,
      summary: 'Remove a secret',
      request: { params: nameParam },
      responses: { 200: json(z.object({ removed: z.string() }), 'Removed'), ...errorResponses },
    }),
    (c) => {
      const { name } = c.req.valid('param');
      deleteSecret(p, name);
      return c.json({ removed: name }, 200);
    },
  );
}
