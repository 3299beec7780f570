/** Paddock's own API for runs, under /api/v1: the CLI and the web board use it. Handlers only map. */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import {
  diffRun,
  invalidInput,
  listRuns,
  mergeRun,
  mergeView,
  mergeViewSchema,
  parseDuration,
  type Paddock,
  RUN_STATES,
  removeRuns,
  resumeRun,
  runStatus,
  runView,
  runViewSchema,
  sessionUsageSchema,
  spawnInputSchema,
  spawnRun,
  stopRun,
} from '../../app/index.ts';
import type { ApiEnv } from '../context.ts';
import { errorResponses, json } from '../schemas.ts';

const RunId = z.object({ id: z.string().min(1).max(64).describe('Run id, or a unique prefix of it') });
const tags = ['runs'];

/** What finalize found in a run's tree (docs/workspace.md). */
const finalizeFindingsSchema = z
  .object({
    removed: z.array(z.object({ path: z.string(), kind: z.string() })).describe('FIFOs, sockets, device nodes and nested .git entries removed before any git command'),
    leftOut: z.array(z.object({ path: z.string(), size: z.number(), allocated: z.number(), why: z.string() })).describe('Files not committed: too large, or sparse'),
    outsideSymlinks: z.array(z.object({ path: z.string(), target: z.string(), why: z.string() })).describe('Symlinks pointing outside the tree (absolute, escapes, git)'),
    restamped: z.number().describe("The agent's commits rewritten with Paddock as committer"),
    authorFlags: z
      .array(z.object({ sha: z.string(), subject: z.string(), author: z.string(), authorDate: z.number(), flags: z.array(z.string()) }))
      .describe("Commits whose author is not the agent's identity, or whose date is far from the run's time"),
    maxFileBytes: z.number(),
  })
  .meta({ id: 'FinalizeFindings' });

export function registerRunRoutes(app: OpenAPIHono<ApiEnv>, p: Paddock): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/runs',
      tags,
      summary: 'Start a run (it is queued, then gets its checkout and container)',
      request: { body: { required: true, content: { 'application/json': { schema: spawnInputSchema.strict().meta({ id: 'SpawnRequest' }) } } } },
      responses: { 201: json(runViewSchema, 'The run, as recorded (usually queued or pending)'), ...errorResponses },
    }),
    async (c) => c.json(runView(p, await spawnRun(p, c.req.valid('json'))), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/runs',
      tags,
      summary: 'List runs, newest first',
      request: {
        query: z.object({
          all: z.enum(['true', 'false']).optional().describe('Every run, not only live ones and those that ended in the last day'),
          state: z
            .string()
            .regex(/^[a-z_]+(,[a-z_]+)*$/)
            .optional()
            .describe(`Comma-separated states: ${RUN_STATES.join(', ')}`),
          repo: z.string().min(1).optional().describe('Only runs on this repository (its top-level directory)'),
          since: z.string().min(1).optional().describe('Only runs created within this duration, e.g. 2h or 7d'),
          limit: z.coerce.number().int().min(1).max(1000).optional().describe('At most this many (default 1000)'),
        }),
      },
      responses: { 200: json(z.object({ runs: z.array(runViewSchema) }).meta({ id: 'RunList' }), 'The runs'), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const states = q.state?.split(',');
      const bad = states?.find((s) => !(RUN_STATES as readonly string[]).includes(s));
      if (bad) throw invalidInput(`state: unknown state "${bad}"`, `states: ${RUN_STATES.join(', ')}`);
      const runs = (
        await listRuns(p, {
          all: q.all === 'true',
          ...(states ? { states: states as (typeof RUN_STATES)[number][] } : {}),
          ...(q.repo ? { repo: q.repo } : {}),
          ...(q.since ? { sinceMs: parseDuration(q.since, 'since') } : {}),
        })
      ).slice(0, q.limit ?? 1000);
      return c.json({ runs: runs.map((r) => runView(p, r)) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/runs/{id}',
      tags,
      summary: "One run, with its container and its session's total usage",
      request: { params: RunId },
      responses: {
        200: json(
          z
            .object({
              run: runViewSchema,
              container: z.object({ status: z.string(), running: z.boolean(), exitCode: z.number().nullable(), oomKilled: z.boolean() }).nullable(),
              lastEvent: z.object({ seq: z.number(), ts: z.number(), kind: z.string() }).nullable(),
              session: sessionUsageSchema,
              finalize: finalizeFindingsSchema.nullable().describe("What finalize found in the run's tree; null before it ran"),
            })
            .meta({ id: 'RunStatus' }),
          'The run',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const s = await runStatus(p, c.req.valid('param').id);
      return c.json(
        {
          run: runView(p, s.run),
          container: s.container ? { status: s.container.status, running: s.container.running, exitCode: s.container.exitCode, oomKilled: s.container.oomKilled } : null,
          lastEvent: s.lastEvent ? { seq: s.lastEvent.seq, ts: s.lastEvent.ts, kind: s.lastEvent.kind } : null,
          session: s.session,
          finalize: s.finalize,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/runs/{id}/stop',
      tags,
      summary: 'Stop a run; its work so far is kept on the run branch',
      request: {
        params: RunId,
        body: {
          required: false,
          content: { 'application/json': { schema: z.object({ wait: z.boolean().default(true).describe('Answer once the run has ended (else once the stop is requested)') }).strict() } },
        },
      },
      responses: { 200: json(z.object({ run: runViewSchema, alreadyEnded: z.boolean() }).meta({ id: 'StopResult' }), 'The run after the stop'), ...errorResponses },
    }),
    async (c) => {
      const body = (await c.req.json().catch(() => ({}))) as { wait?: boolean };
      const r = await stopRun(p, c.req.valid('param').id, { wait: body.wait !== false, signal: c.req.raw.signal });
      return c.json({ run: runView(p, r.run), alreadyEnded: r.alreadyEnded }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/runs/{id}/resume',
      tags,
      summary: "Continue a run's conversation with a new task, on the same branch, in a fresh container",
      request: {
        params: RunId,
        body: {
          required: true,
          content: {
            'application/json': {
              schema: spawnInputSchema
                .pick({ task: true, model: true, timeout: true, memory: true, cpus: true, pids: true, image: true, webhookUrl: true })
                .partial({ model: true, timeout: true, memory: true, cpus: true, pids: true, image: true })
                .strict()
                .meta({ id: 'ResumeRequest' }),
            },
          },
        },
      },
      responses: { 201: json(runViewSchema, 'The new run'), ...errorResponses },
    }),
    async (c) => c.json(runView(p, await resumeRun(p, c.req.valid('param').id, c.req.valid('json'))), 201),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/runs/{id}',
      tags,
      summary: 'Remove a finished run: its record, checkout and (with branch=true) its branch',
      request: { params: RunId, query: z.object({ branch: z.enum(['true', 'false']).optional() }) },
      responses: {
        200: json(
          z
            .object({ removed: z.array(z.object({ id: z.string(), bytes: z.number(), container: z.string(), branch: z.object({ name: z.string(), deleted: z.boolean(), note: z.string() }) })) })
            .meta({ id: 'RemoveResult' }),
          'What was removed',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const removed = await removeRuns(p, [c.req.valid('param').id], { branch: c.req.valid('query').branch === 'true' });
      return c.json({ removed: removed.map((r) => ({ id: r.id, bytes: r.bytes, container: r.container, branch: r.branch })) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/runs/remove',
      tags,
      summary: 'Remove several finished runs at once (all are checked before anything is removed)',
      request: {
        body: {
          required: true,
          content: {
            'application/json': {
              schema: z
                .object({ ids: z.array(z.string().min(1).max(64)).min(1).max(1000), branch: z.boolean().optional() })
                .strict()
                .meta({ id: 'RemoveRequest' }),
            },
          },
        },
      },
      responses: {
        200: json(
          z.object({
            removed: z.array(
              z.object({ id: z.string(), runDir: z.string().nullable(), bytes: z.number(), container: z.string(), branch: z.object({ name: z.string(), deleted: z.boolean(), note: z.string() }) }),
            ),
          }),
          'What was removed',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      return c.json({ removed: await removeRuns(p, body.ids, { branch: Boolean(body.branch) }) }, 200);
    },
  );

  const diffFile = z.object({ path: z.string(), oldPath: z.string().optional(), status: z.string(), added: z.number(), deleted: z.number(), binary: z.boolean() });
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/runs/{id}/diff',
      tags,
      summary: 'The run branch against its base: files, stats and the patch (of a live run: its clone as it is now)',

      request: { params: RunId },
      responses: {
        200: json(
          z
            .object({
              runId: z.string(),
              branch: z.string(),
              base: z.string(),
              files: z.array(diffFile),
              total: z.object({ files: z.number(), added: z.number(), deleted: z.number() }),
              stat: z.string(),
              patch: z.string(),
              live: z.boolean().describe('The run is still going: its clone as it is now (computed in a helper container), not a brought-back branch'),
              truncated: z.boolean().describe('A live diff over the size bound was cut (the patch then does not apply)'),
              findings: finalizeFindingsSchema
                .nullable()
                .describe('What finalize found, with the symlinks out of the worktree the branch brings as it is now (merge refuses them unless allowOutsideSymlinks); null for a live run'),
            })
            .meta({ id: 'RunDiff' }),
          'The diff',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const d = await diffRun(p, c.req.valid('param').id);
      return c.json(
        { runId: d.run.id, branch: d.run.branch, base: d.run.baseSha, files: d.files, total: d.total, stat: d.stat, patch: d.text, live: d.live, truncated: d.truncated, findings: d.findings },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/runs/{id}/merge',
      tags,
      summary: 'Merge the run branch into its base (or into); a conflict changes nothing',
      request: {
        params: RunId,
        body: {
          required: false,
          content: {
            'application/json': {
              schema: z
                .object({ squash: z.boolean().optional(), into: z.string().min(1).optional(), allowOutsideSymlinks: z.boolean().optional() })
                .strict()
                .meta({ id: 'MergeRequest' }),
            },
          },
        },
      },
      responses: {
        200: json(mergeViewSchema.meta({ id: 'MergeResult' }), 'What happened'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const body = (await c.req.json().catch(() => ({}))) as { squash?: boolean; into?: string; allowOutsideSymlinks?: boolean };
      const r = await mergeRun(p, c.req.valid('param').id, {
        ...(body.squash !== undefined ? { squash: body.squash } : {}),
        ...(body.into ? { into: body.into } : {}),
        ...(body.allowOutsideSymlinks === true ? { allowOutsideSymlinks: true } : {}),
      });
      return c.json(mergeView(p, r), 200);
    },
  );
}
