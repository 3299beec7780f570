/** Run groups under /api/v1: one task raced across agent CLIs, and their comparison. Handlers only map app/ calls. */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { stream } from 'hono/streaming';
import { compareGroup, groupComparisonSchema, groupInputSchema, groupListSchema, listGroups, type Paddock, runView, runViewSchema, spawnGroup } from '../../app/index.ts';
import type { ApiEnv } from '../context.ts';
import { errorResponses, json } from '../schemas.ts';

const tags = ['groups'];
const GroupId = z.object({ id: z.string().min(1).max(32).describe('Group id, or a unique prefix of it') });

const spawnedGroupSchema = z
  .object({
    group: z.object({ id: z.string(), task: z.string(), createdAt: z.number(), checkCommand: z.string().nullable() }),
    runs: z.array(z.object({ label: z.string(), run: runViewSchema })),
  })
  .meta({ id: 'SpawnedGroup' });

export function registerGroupRoutes(app: OpenAPIHono<ApiEnv>, p: Paddock): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/groups',
      tags,
      summary: 'Race one task across several agent CLIs (clis), or one CLI n times: one run each, on <branch>-<label>',
      request: { body: { required: true, content: { 'application/json': { schema: groupInputSchema.strict().meta({ id: 'GroupRequest' }) } } } },
      responses: { 201: json(spawnedGroupSchema, 'The group and its runs, as recorded'), ...errorResponses },
    }),
    async (c) => {
      const { group, runs } = await spawnGroup(p, c.req.valid('json'));
      return c.json(
        { group: { id: group.id, task: group.task, createdAt: group.createdAt, checkCommand: group.checkCommand }, runs: runs.map((r) => ({ label: r.label, run: runView(p, r.run) })) },
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/groups',
      tags,
      summary: 'List run groups, newest first, with their members’ states',
      responses: { 200: json(groupListSchema, 'Groups'), ...errorResponses },
    }),
    (c) => c.json(listGroups(p), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/groups/{id}',
      tags,
      summary: 'Compare a group’s runs, best first (stored check results only; POST …/compare runs the checks)',
      request: { params: GroupId },
      responses: { 200: json(groupComparisonSchema, 'The comparison'), ...errorResponses },
    }),
    async (c) => c.json(await compareGroup(p, c.req.valid('param').id, { runChecks: false }), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/groups/{id}/compare',
      tags,
      summary: 'Compare a group’s runs, running its check on each ended run not checked at its head yet. Streams NDJSON: {"progress":…} lines, then {"done":GroupComparison} or {"error":…}',
      request: { params: GroupId },
      responses: { 200: { description: 'application/x-ndjson progress', content: { 'application/x-ndjson': { schema: z.string() } } }, ...errorResponses },
    }),
    async (c) => {
      const id = c.req.valid('param').id;
      c.header('content-type', 'application/x-ndjson');
      return stream(c, async (s) => {
        try {
          const done = await compareGroup(p, id, { onProgress: (line) => void s.write(`${JSON.stringify({ progress: line })}\n`) });
          await s.write(`${JSON.stringify({ done })}\n`);
        } catch (e) {
          const err = e as { code?: string; message?: string; hint?: string };
          await s.write(`${JSON.stringify({ error: { code: err.code ?? 'INTERNAL', message: err.message ?? String(e), ...(err.hint ? { hint: err.hint } : {}) } })}\n`);
        }
      }) as never;
    },
  );
}
