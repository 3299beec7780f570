/**
 * Stromboli's /secrets, as its handlers answer (API.md §10): a list of {id, name, created_at}; create 201 or 409;
 * metadata or 404; delete or 404. Each in the body shape Stromboli uses for that endpoint. Values go in, never out.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { z } from 'zod';
import { deleteSecret, ErrorCode, isPaddockError, listSecrets, type Paddock, type SecretInfo, secretInfo, setSecret } from '../../app/index.ts';
import type { ApiEnv } from '../context.ts';
import { messageOf } from './errors.ts';
import { rfc3339 } from './map.ts';

const infoWire = z.object({ id: z.string(), name: z.string(), created_at: z.string() }).meta({ id: 'StromboliSecretInfo' });
const resultWire = z.object({ success: z.boolean(), name: z.string().optional(), error: z.string().optional() }).meta({ id: 'StromboliSecretResult' });
const createWire = z.object({ name: z.string(), value: z.string() }).meta({ id: 'StromboliCreateSecretRequest' });

const wire = (s: SecretInfo) => ({ id: s.id, name: s.name, created_at: rfc3339(s.createdAt) });

export function registerCompatSecretRoutes(app: OpenAPIHono<ApiEnv>, p: Paddock): void {
  const tags = ['stromboli'];
  const body = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/secrets',
    tags,
    summary: 'Secrets that can be injected into runs (metadata only)',
    responses: { 200: body(z.object({ secrets: z.array(infoWire), error: z.string().optional() }), 'Secrets (never null)') },
  });
  app.get('/secrets', (c) => {
    try {
      return c.json({ secrets: listSecrets(p).map(wire) }, 200);
    } catch {
      return c.json({ secrets: null, error: 'failed to list secrets' }, 500);
    }
  });

  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/secrets',
    tags,
    summary: 'Create a secret (409 when it exists)',
    request: { body: { required: true, content: { 'application/json': { schema: createWire } } } },
    responses: { 201: body(resultWire, 'Created'), 400: body(resultWire, 'Bad request'), 409: body(resultWire, 'Exists'), 500: body(resultWire, 'Failed') },
  });
  app.post('/secrets', async (c) => {
    let req: { name?: unknown; value?: unknown };
    try {
      req = (await c.req.json()) as typeof req;
    } catch (e) {
      return c.json({ success: false, error: `invalid JSON: ${(e as Error).message.slice(0, 200)}` }, 400);
    }
    if (typeof req !== 'object' || req === null) return c.json({ success: false, error: 'the body must be a JSON object' }, 400);
    const missing = (['name', 'value'] as const).find((k) => typeof req[k] !== 'string' || req[k] === '');
    if (missing)
      return c.json(
        {
          success: false,
          error: `Key: 'CreateSecretRequest.${missing[0]!.toUpperCase()}${missing.slice(1)}' Error:Field validation for '${missing[0]!.toUpperCase()}${missing.slice(1)}' failed on the 'required' tag`,
        },
        400,
      );
    const name = req.name as string;
    try {
      setSecret(p, name, req.value as string, { replace: false });
      return c.json({ success: true, name }, 201);
    } catch (e) {
      if (isPaddockError(e) && e.code === ErrorCode.Conflict) return c.json({ success: false, name, error: 'secret already exists' }, 409);
      if (isPaddockError(e) && e.code === ErrorCode.InvalidInput) return c.json({ success: false, error: messageOf(e) }, 400);
      return c.json({ success: false, error: 'failed to create secret' }, 500);
    }
  });

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/secrets/{name}',
    tags,
    summary: "A secret's metadata (never its value)",
    request: { params: z.object({ name: z.string() }) },
    responses: { 200: body(infoWire, 'The secret'), 404: body(z.object({ error: z.string() }), '{"error":"secret not found"}') },
  });
  app.get('/secrets/:name', (c) => {
    try {
      return c.json(wire(secretInfo(p, c.req.param('name'))), 200);
    } catch (e) {
      return notFoundOr(
        c,
        e,
        () => c.json({ error: 'secret not found' }, 404),
        () => c.json({ error: 'internal server error' }, 500),
      );
    }
  });

  app.openAPIRegistry.registerPath({
    method: 'delete',
    path: '/secrets/{name}',
    tags,
    summary: 'Delete a secret (runs that have it keep their copy until they end)',
    request: { params: z.object({ name: z.string() }) },
    responses: { 200: body(resultWire, 'Deleted'), 404: body(resultWire, 'No such secret'), 500: body(resultWire, 'Failed') },
  });
  app.delete('/secrets/:name', (c) => {
    const name = c.req.param('name');
    try {
      deleteSecret(p, name);
      return c.json({ success: true, name }, 200);
    } catch (e) {
      return notFoundOr(
        c,
        e,
        () => c.json({ success: false, name, error: 'secret not found' }, 404),
        () => c.json({ success: false, name, error: 'failed to delete secret' }, 500),
      );
    }
  });
}

/** A bad name finds nothing (Stromboli's handler has no 400 branch here): 404; anything else is the endpoint's 500. */
function notFoundOr(_c: Context<ApiEnv>, e: unknown, notFound: () => Response, failed: () => Response): Response {
  if (isPaddockError(e) && (e.code === ErrorCode.NotFound || e.code === ErrorCode.InvalidInput)) return notFound();
  return failed();
}
