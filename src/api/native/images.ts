/**
 * Images under /api/v1 (what `paddock image ls|show|rm|create|pull|search` call). `POST /api/v1/images/build` (the
 * agent image and the stacks) is in system.ts. Builds stream NDJSON: {"progress":…} lines, then {"done":…} or
 * {"error":{code,message,hint}}. A name with a slash is sent URL-encoded (localhost%2Fpaddock-python:latest).
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { stream } from 'hono/streaming';
import { z } from 'zod';
import { checkCreateImageInput, createAgentImage, imageDetail, listLocalImages, type Paddock, pullImage, removeLocalImage, searchImages, STACKS } from '../../app/index.ts';
import type { ApiEnv } from '../context.ts';
import { errorResponses, json } from '../schemas.ts';

export const imageViewSchema = z
  .object({
    ref: z.string().describe('The name a run gives (spawn --image)'),
    repository: z.string(),
    tag: z.string(),
    id: z.string(),
    size: z.number().describe('bytes'),
    created: z.number().describe('ms since the epoch'),
    paddock: z.boolean().describe('Built by Paddock (labelled dev.paddock.managed)'),
    agentReady: z.boolean().describe('Carries the agent CLI: spawn --image runs it as it is'),
    stack: z.string().nullable().describe('The stack it is or was made from (base: the agent image)'),
    tools: z.array(z.string()).describe('Tools it was built with'),
    default: z.boolean().describe('PADDOCK_IMAGE: what a run gets when it names none'),
    compatibilityRank: z.number().int().describe("Stromboli's rank: 1 agent image, 3 glibc, 4 Alpine/musl"),
    compatible: z.boolean(),
    liveRuns: z.number().int().describe('Live runs using it now'),
  })
  .meta({ id: 'Image' });

const imageDetailSchema = imageViewSchema
  .extend({
    labels: z.record(z.string(), z.string()),
    rankDescription: z.string(),
    packages: z
      .object({ apt: z.array(z.string()), npm: z.array(z.string()), pip: z.array(z.string()) })
      .nullable()
      .describe('What `image create` installed'),
  })
  .meta({ id: 'ImageDetail' });

const packageList = (kind: string, example: string) => z.array(z.string().max(256)).max(64).default([]).describe(`${kind} packages (plain names with an optional version, e.g. ${example})`);

export const imageCreateSchema = z
  .object({
    name: z.string().min(1).max(255).describe('The new image, as spawn --image will name it (must pass PADDOCK_IMAGE_ALLOW), e.g. localhost/paddock-team:1'),
    from: z
      .enum(['base', ...STACKS])
      .default('base')
      .describe('What it is built FROM: base (the agent image) or a stack'),
    apt: packageList("Debian's", 'jq or jq=1.6-2.1'),
    npm: packageList('npm', 'typescript or @types/node@22'),
    pip: packageList('PyPI', 'requests==2.32.3'),
    force: z.boolean().default(false).describe('Rebuild even when it is up to date'),
  })
  .strict()
  .meta({ id: 'ImageCreateRequest' });

const nameParam = z.object({ name: z.string().min(1).describe('Image name or id (URL-encode a slash: localhost%2Fpaddock-python:latest)') });
const ndjsonResponse = { description: 'application/x-ndjson progress', content: { 'application/x-ndjson': { schema: z.string() } } };

/** Streams a long job as NDJSON: progress lines, then its result as done, or its error. */
export function ndjsonJob(c: Context<ApiEnv>, job: (progress: (line: string) => void) => Promise<unknown>): Response {
  c.header('content-type', 'application/x-ndjson');
  return stream(c, async (s) => {
    try {
      const done = await job((line) => void s.write(`${JSON.stringify({ progress: line.trimEnd() })}\n`));
      await s.write(`${JSON.stringify({ done })}\n`);
    } catch (e) {
      const err = e as { code?: string; message?: string; hint?: string };
      await s.write(`${JSON.stringify({ error: { code: err.code ?? 'INTERNAL', message: err.message ?? String(e), ...(err.hint ? { hint: err.hint } : {}) } })}\n`);
    }
  });
}

export function registerImageRoutes(app: OpenAPIHono<ApiEnv>, p: Paddock): void {
  const tags = ['images'];
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/images',
      tags,
      summary: 'Local images (one entry per name), agent-ready first, with the live runs using each',
      responses: { 200: json(z.object({ images: z.array(imageViewSchema) }), 'Images'), ...errorResponses },
    }),
    async (c) => c.json({ images: await listLocalImages(p) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/images/search',
      tags,
      summary: 'Search a registry through the engine (q may name one: registry:port/name); 503 when no registry is reachable',
      request: { query: z.object({ q: z.string().min(1).describe('Search term'), limit: z.coerce.number().int().min(1).max(100).default(25) }) },
      responses: {
        200: json(z.object({ results: z.array(z.object({ name: z.string(), description: z.string(), stars: z.number(), official: z.boolean(), automated: z.boolean() })) }), 'Results'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { q, limit } = c.req.valid('query');
      return c.json({ results: await searchImages(p, q, limit) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/images/pull',
      tags,
      summary: 'Pull an image through the engine; 503 with the engine’s words when its registry cannot be reached',
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z
                .object({ image: z.string().min(1).max(512), platform: z.string().max(64).optional() })
                .strict()
                .meta({ id: 'ImagePullRequest' }),
            },
          },
        },
      },
      responses: { 200: json(z.object({ image: z.string(), id: z.string() }), 'Pulled'), ...errorResponses },
    }),
    async (c) => {
      const b = c.req.valid('json');
      return c.json(await pullImage(p, b.image, b.platform === undefined ? {} : { platform: b.platform }), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/images/create',
      tags,
      summary:
        'A new agent image: a stack (or the agent image) plus apt, npm and pip packages, usable at once as spawn --image. Streams NDJSON: {"progress":…} lines, then {"done":{tag,from,built,ms}} or {"error":…}',
      request: { body: { required: true, content: { 'application/json': { schema: imageCreateSchema } } } },
      responses: { 200: ndjsonResponse, ...errorResponses },
    }),
    (c) => {
      const b = c.req.valid('json');
      checkCreateImageInput(p, b); // a bad name or package is a 400 before any build starts
      return ndjsonJob(c, (progress) => createAgentImage(p, b, progress)) as never;
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/images/{name}',
      tags,
      summary: 'One image: its labels, rank, tools, and what image create installed',
      request: { params: nameParam },
      responses: { 200: json(imageDetailSchema, 'The image'), ...errorResponses },
    }),
    async (c) => c.json(await imageDetail(p, c.req.valid('param').name), 200),
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/images/{name}',
      tags,
      summary: 'Remove an image name (409 while a live run uses it, or for PADDOCK_IMAGE without force)',
      request: { params: nameParam, query: z.object({ force: z.enum(['true', 'false']).default('false').describe('Also the default agent image') }) },
      responses: { 200: json(z.object({ removed: z.string(), id: z.string() }), 'Removed'), ...errorResponses },
    }),
    async (c) => c.json(await removeLocalImage(p, c.req.valid('param').name, { force: c.req.valid('query').force === 'true' }), 200),
  );
}
