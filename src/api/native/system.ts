/** The daemon, the machine and maintenance, under /api/v1: doctor, gc, sessions, image build, daemon status/stop. */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { stream } from 'hono/streaming';
import { z } from 'zod';
import { buildImage, buildStacks, deleteSession, doctor, gc, invalidInput, listSessions, type Paddock, parseDuration, reconcile, sessionUsageSchema, STACKS } from '../../app/index.ts';
import type { ApiEnv } from '../context.ts';
import { errorResponses, json } from '../schemas.ts';

export interface DaemonInfo {
  pid: number;
  version: string;
  startedAt: number;
  /** Where the daemon listens: the unix socket, and TCP when it does. */
  socket: string;
  tcp: string | null;
}

export interface SystemHooks {
  info: () => DaemonInfo;
  /** Asks the daemon to shut down (drain) after answering. */
  requestStop: () => void;
}

export function registerSystemRoutes(app: OpenAPIHono<ApiEnv>, p: Paddock, hooks: SystemHooks): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/daemon',
      tags: ['daemon'],
      summary: 'The daemon: pid, version, uptime, runs it supervises, the queue',
      responses: {
        200: json(
          z
            .object({
              pid: z.number(),
              version: z.string(),
              startedAt: z.number(),
              uptimeMs: z.number(),
              socket: z.string(),
              tcp: z.string().nullable(),
              home: z.string(),
              supervising: z.array(z.string()),
              queued: z.number(),
              maxRunning: z.number(),
              rssBytes: z.number(),
            })
            .meta({ id: 'DaemonStatus' }),
          'Status',
        ),
        ...errorResponses,
      },
    }),
    (c) => {
      const i = hooks.info();
      return c.json(
        {
          ...i,
          uptimeMs: Date.now() - i.startedAt,
          home: p.config.home,
          supervising: p.host.activeRuns(),
          queued: p.runs.queued().length,
          maxRunning: p.config.maxRunning,
          rssBytes: process.memoryUsage().rss,
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/daemon/stop',
      tags: ['daemon'],
      summary: 'Stop the daemon: it lets go of its runs at once (their containers run on) and exits',
      responses: { 202: json(z.object({ stopping: z.literal(true) }), 'Stopping'), ...errorResponses },
    }),
    (c) => {
      setImmediate(hooks.requestStop);
      return c.json({ stopping: true as const }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/doctor',
      tags: ['maintenance'],
      summary: 'Check the machine: engine, image, disk, credentials, model endpoint',
      responses: {
        200: json(
          z.object({ checks: z.array(z.object({ name: z.string(), status: z.enum(['ok', 'warn', 'fail']), detail: z.string(), fix: z.string().optional() })) }).meta({ id: 'Doctor' }),
          'Every check',
        ),
        ...errorResponses,
      },
    }),
    async (c) => c.json({ checks: await doctor(p) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/gc',
      tags: ['maintenance'],
      summary: 'Remove what finished runs left behind (dryRun lists it)',
      request: {
        body: {
          required: false,
          content: {
            'application/json': {
              schema: z
                .object({
                  dryRun: z.boolean().optional(),
                  sessions: z.boolean().optional(),
                  merged: z.boolean().optional(),
                  olderThan: z.string().min(1).optional().describe('Also finished runs that ended longer ago, e.g. 7d'),
                })
                .strict()
                .meta({ id: 'GcRequest' }),
            },
          },
        },
      },
      responses: {
        200: json(
          z.object({ items: z.array(z.object({ kind: z.string(), name: z.string(), why: z.string(), bytes: z.number().optional() })), dryRun: z.boolean() }).meta({ id: 'GcResult' }),
          'What was (or would be) removed',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const body = (await c.req.json().catch(() => ({}))) as { dryRun?: boolean; sessions?: boolean; merged?: boolean; olderThan?: string };
      await reconcile(p);
      const items = await gc(p, {
        dryRun: Boolean(body.dryRun),
        sessions: Boolean(body.sessions),
        merged: Boolean(body.merged),
        ...(body.olderThan ? { olderThanMs: parseDuration(body.olderThan, 'olderThan') } : {}),
      });
      return c.json({ items, dryRun: Boolean(body.dryRun) }, 200);
    },
  );

  const sessionView = z
    .object({ id: z.string(), agent: z.string(), repo: z.string(), createdAt: z.number(), updatedAt: z.number(), lastRunId: z.string().nullable(), usage: sessionUsageSchema })
    .meta({ id: 'Session' });
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/sessions',
      tags: ['sessions'],
      summary: 'Agent sessions (conversations), with what all their runs used',
      responses: { 200: json(z.object({ sessions: z.array(sessionView) }), 'Sessions, latest first'), ...errorResponses },
    }),
    (c) => c.json({ sessions: listSessions(p) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/sessions/{id}',
      tags: ['sessions'],
      summary: 'Remove a session and its HOME volume (it can no longer be resumed)',
      request: { params: z.object({ id: z.string().min(1).max(64) }) },
      responses: { 200: json(z.object({ deleted: z.string() }), 'Removed'), ...errorResponses },
    }),
    async (c) => {
      await deleteSession(p, c.req.valid('param').id);
      return c.json({ deleted: c.req.valid('param').id }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/images/build',
      tags: ['images'],
      summary:
        'Build the agent image, and with stacks (or all) the stack images FROM it (each a no-op when up to date). Streams NDJSON: {"progress":…} lines, then {"done":{tag,built,images?}} or {"error":…}',
      request: {
        body: {
          required: false,
          content: {
            'application/json': {
              schema: z
                .object({
                  tag: z.string().min(1).optional(),
                  force: z.boolean().optional(),
                  stacks: z.array(z.enum(STACKS)).max(STACKS.length).optional().describe('Stack images to build too (node, python, go, rust, browser)'),
                  all: z.boolean().optional().describe('Every stack image'),
                })
                .strict()
                .meta({ id: 'ImageBuildRequest' }),
            },
          },
        },
      },
      responses: { 200: { description: 'application/x-ndjson progress', content: { 'application/x-ndjson': { schema: z.string() } } }, ...errorResponses },
    }),
    async (c) => {
      c.header('content-type', 'application/x-ndjson');
      // A raw streamed body: the typed helpers only know JSON responses.
      return stream(c, async (s) => {
        const body = (await c.req.json().catch(() => ({}))) as { tag?: string; force?: boolean; stacks?: string[]; all?: boolean };
        const started = Date.now();
        try {
          const progress = (line: string) => void s.write(`${JSON.stringify({ progress: line.trimEnd() })}\n`);
          const stacks = body.all ? [...STACKS] : (body.stacks ?? []);
          if (stacks.length > 0 && body.tag)
            throw invalidInput('tag: stacks are built FROM PADDOCK_IMAGE and have their own names', 'build the agent image under a tag on its own, without stacks or all');
          if (stacks.length > 0) {
            // Stacks: the agent image first (PADDOCK_IMAGE: they are built FROM it), then each stack (src/app/image-catalog.ts).
            const images = await buildStacks(p, stacks, progress, { force: Boolean(body.force) });
            await s.write(`${JSON.stringify({ done: { tag: images[0]?.tag, built: images.some((i) => i.built), images, ms: Date.now() - started } })}\n`);
            return;
          }
          const r = await buildImage(p, progress, { ...(body.tag ? { tag: body.tag } : {}), force: Boolean(body.force) });
          await s.write(`${JSON.stringify({ done: { ...r, ms: Date.now() - started } })}\n`);
        } catch (e) {
          const err = e as { code?: string; message?: string; hint?: string };
          await s.write(`${JSON.stringify({ error: { code: err.code ?? 'INTERNAL', message: err.message ?? String(e), ...(err.hint ? { hint: err.hint } : {}) } })}\n`);
        }
      }) as never;
    },
  );
}
