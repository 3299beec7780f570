/**
 * Stromboli's /images (API.md §11), as its handlers answer: the local images sorted by compatibility rank, one
 * image's detail, a registry search (502 when the registry cannot be reached, as on machines without one) and a pull
 * (500 "failed to pull image", here followed by the engine's words). Each in Stromboli's {error} body shape.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { z } from 'zod';
import { ErrorCode, type ImageView, imageDetail, isPaddockError, listLocalImages, type Paddock, pullImage, searchImages } from '../../app/index.ts';
import type { ApiEnv } from '../context.ts';
import { messageOf } from './errors.ts';

const infoWire = z
  .object({
    id: z.string(),
    repository: z.string(),
    tag: z.string(),
    size: z.number().int(),
    created: z.string().describe('2006-01-02T15:04:05Z'),
    compatibility_rank: z.number().int(),
    compatible: z.boolean(),
    tools: z.array(z.string()).optional(),
    has_claude_cli: z.boolean(),
    description: z.string().optional(),
  })
  .meta({ id: 'StromboliImageInfo' });
const detailWire = infoWire.extend({ labels: z.record(z.string(), z.string()).optional(), rank_description: z.string() }).meta({ id: 'StromboliImageDetail' });
const searchWire = z
  .object({ results: z.array(z.object({ index: z.string(), name: z.string(), description: z.string(), stars: z.number().int(), official: z.boolean(), automated: z.boolean() })) })
  .meta({ id: 'StromboliImageSearch' });
const pullWire = z.object({ image: z.string(), platform: z.string().optional(), quiet: z.boolean().optional() }).meta({ id: 'StromboliImagePullRequest' });
const errorWire = z.object({ error: z.string() });

/** Stromboli's time format: seconds, a literal Z (the server here runs in UTC, so it is also true). */
const stamp = (ms: number) => `${new Date(Math.max(ms, 0)).toISOString().slice(0, 19)}Z`;

function describe(v: ImageView): string | undefined {
  if (!v.paddock) return undefined;
  if (v.stack === 'base' && v.tools.length === 0) return 'Paddock agent image';
  return `Paddock ${v.stack ?? 'agent'} image${v.tools.length ? ` (${v.tools.join(', ')})` : ''}`;
}

function info(v: ImageView): z.infer<typeof infoWire> {
  const description = describe(v);
  return {
    id: v.id,
    repository: v.repository,
    tag: v.tag,
    size: v.size,
    created: stamp(v.created),
    compatibility_rank: v.compatibilityRank,
    compatible: v.compatible,
    ...(v.tools.length ? { tools: v.tools } : {}),
    has_claude_cli: v.agentReady,
    ...(description ? { description } : {}),
  };
}

export function registerCompatImageRoutes(app: OpenAPIHono<ApiEnv>, p: Paddock): void {
  const tags = ['stromboli'];
  const body = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema } } });

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/images',
    tags,
    summary: 'Local images sorted by compatibility rank (1 agent image, 3 glibc, 4 Alpine/musl)',
    responses: { 200: body(z.object({ images: z.array(infoWire) }), 'Images (empty array if none)'), 500: body(errorWire, '{"error":"failed to list images"}') },
  });
  app.get('/images', async (c) => {
    try {
      return c.json({ images: (await listLocalImages(p)).map(info) }, 200);
    } catch {
      return c.json({ error: 'failed to list images' }, 500);
    }
  });

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/images/search',
    tags,
    summary: 'Search a registry through the engine (q may name one: registry:port/name); 502 when it cannot be reached',
    request: { query: z.object({ q: z.string(), limit: z.string().optional(), no_trunc: z.string().optional() }) },
    responses: { 200: body(searchWire, 'Results'), 400: body(errorWire, 'No q, or a bad limit'), 502: body(errorWire, '{"error":"registry search failed"}') },
  });
  app.get('/images/search', async (c) => {
    const q = c.req.query('q');
    if (!q) return c.json({ error: "query parameter 'q' is required" }, 400);
    const rawLimit = c.req.query('limit');
    const limit = rawLimit === undefined || rawLimit === '' ? 25 : Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1) return c.json({ error: 'invalid limit parameter' }, 400);
    try {
      const results = await searchImages(p, q, Math.min(limit, 100));
      const index = q.includes('/') && /[.:]|^localhost$/.test(q.split('/')[0] ?? '') ? (q.split('/')[0] ?? 'docker.io') : 'docker.io';
      const noTrunc = c.req.query('no_trunc') === 'true';
      return c.json(
        {
          results: results.map((r) => ({
            index,
            name: r.name,
            description: noTrunc || r.description.length <= 45 ? r.description : `${r.description.slice(0, 42)}...`,
            stars: r.stars,
            official: r.official,
            automated: r.automated,
          })),
        },
        200,
      );
    } catch (e) {
      if (isPaddockError(e) && e.code === ErrorCode.InvalidInput) return c.json({ error: messageOf(e) }, 400);
      return c.json({ error: 'registry search failed' }, 502);
    }
  });

  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/images/pull',
    tags,
    summary: 'Pull an image through the engine (blocks until it ends); 500 with the engine’s words when the registry cannot be reached',
    request: { body: { required: true, content: { 'application/json': { schema: pullWire } } } },
    responses: {
      200: body(z.object({ success: z.boolean(), image_id: z.string(), image: z.string() }), 'Pulled'),
      400: body(errorWire, 'No image, or a bad name'),
      500: body(errorWire, '{"error":"failed to pull image: …"}'),
    },
  });
  app.post('/images/pull', async (c) => {
    let req: unknown;
    try {
      req = await c.req.json();
    } catch (e) {
      return c.json({ error: `invalid JSON: ${(e as Error).message.slice(0, 200)}` }, 400);
    }
    const r = pullWire.safeParse(req);
    if (!r.success || r.data.image === '') {
      return c.json({ error: "Key: 'ImagePullRequest.Image' Error:Field validation for 'Image' failed on the 'required' tag" }, 400);
    }
    try {
      const out = await pullImage(p, r.data.image, r.data.platform ? { platform: r.data.platform } : {});
      return c.json({ success: true, image_id: out.id, image: out.image }, 200);
    } catch (e) {
      if (isPaddockError(e) && e.code === ErrorCode.InvalidInput) return c.json({ error: messageOf(e) }, 400);
      return c.json({ error: isPaddockError(e) && e.details?.registry ? `failed to pull image: ${messageOf(e)}` : 'failed to pull image' }, 500);
    }
  });

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/images/{name}',
    tags,
    summary: 'One image with its labels and rank description (URL-encode a slash in the name)',
    request: { params: z.object({ name: z.string() }) },
    responses: { 200: body(detailWire, 'The image'), 400: body(errorWire, 'Bad name'), 404: body(errorWire, '{"error":"image not found"}'), 500: body(errorWire, 'Failed') },
  });
  app.get('/images/:name', (c) => detail(c, p, c.req.param('name')));
}

async function detail(c: Context<ApiEnv>, p: Paddock, name: string): Promise<Response> {
  try {
    const d = await imageDetail(p, name);
    return c.json({ ...info(d), ...(Object.keys(d.labels).length ? { labels: d.labels } : {}), rank_description: d.rankDescription }, 200);
  } catch (e) {
    if (isPaddockError(e) && e.code === ErrorCode.NotFound) return c.json({ error: 'image not found' }, 404);
    if (isPaddockError(e) && e.code === ErrorCode.InvalidInput) return c.json({ error: messageOf(e) }, 400);
    return c.json({ error: 'internal server error' }, 500);
  }
}
