/**
 * A run's events: JSON pages by event id, and a live SSE stream. The stream sends a snapshot of the run first, then
 * every event after the client's cursor (Last-Event-ID or ?after=) with `id: <seq>`, so a client that reconnects gets
 * each event exactly once; heartbeats keep proxies from closing it; it ends with the run, or when the server stops.
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { eventViewSchema, findRun, isTerminal, type Paddock, runEvents, runView, runViewSchema } from '../../app/index.ts';
import type { ApiEnv } from '../context.ts';
import { errorResponses, json } from '../schemas.ts';

const tags = ['events'];
const HEARTBEAT_MS = 15_000;

export function registerEventRoutes(app: OpenAPIHono<ApiEnv>, p: Paddock, shutdown: AbortSignal): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/runs/{id}/events',
      tags,
      summary: "A page of the run's events after an event id",
      request: {
        params: z.object({ id: z.string().min(1).max(64) }),
        query: z.object({
          after: z.coerce.number().int().min(0).optional().describe('Only events with a greater seq (default 0: from the start)'),
          limit: z.coerce.number().int().min(1).max(10_000).optional().describe('At most this many (default 1000)'),
        }),
      },
      responses: {
        200: json(
          z.object({ events: z.array(eventViewSchema), next: z.number().describe('Pass as after= for the next page'), ended: z.boolean().describe('The run has ended') }).meta({ id: 'EventPage' }),
          'Events in seq order',
        ),
        ...errorResponses,
      },
    }),
    (c) => {
      const run = findRun(p, c.req.valid('param').id);
      const q = c.req.valid('query');
      const events = p.events.list(run.id, q.after ?? 0, q.limit ?? 1000);
      return c.json({ events, next: events.at(-1)?.seq ?? q.after ?? 0, ended: isTerminal(run.state) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/runs/{id}/events/stream',
      tags,
      summary: 'Live events (SSE): `snapshot` (the run), then `event` (id: seq) for each event, `end` (the run) when it ends',
      request: {
        params: z.object({ id: z.string().min(1).max(64) }),
        query: z.object({ after: z.coerce.number().int().min(0).optional().describe('Resume after this seq (Last-Event-ID wins)') }),
        headers: z.object({ 'last-event-id': z.string().regex(/^\d+$/).optional() }),
      },
      responses: {
        200: { description: 'text/event-stream: snapshot, event…, end', content: { 'text/event-stream': { schema: z.string() } } },
        ...errorResponses,
      },
    }),
    (c) => {
      const run = findRun(p, c.req.valid('param').id);
      const lastId = c.req.valid('header')['last-event-id'];
      const after = lastId !== undefined ? Number(lastId) : (c.req.valid('query').after ?? 0);
      return streamSSE(c, async (stream) => {
        const stop = AbortSignal.any([shutdown, c.req.raw.signal]);
        stream.onAbort(() => {});
        await stream.writeSSE({ event: 'snapshot', data: JSON.stringify(runView(p, p.runs.get(run.id) ?? run)) });
        const beat = setInterval(() => void stream.write(': ping\n\n').catch(() => {}), HEARTBEAT_MS);
        try {
          for await (const e of runEvents(p, run.id, { follow: true, afterSeq: after, signal: stop })) {
            await stream.writeSSE({ event: 'event', id: String(e.seq), data: JSON.stringify(e) });
          }
          const final = p.runs.get(run.id);
          if (final && isTerminal(final.state)) await stream.writeSSE({ event: 'end', data: JSON.stringify(runView(p, final)) });
        } finally {
          clearInterval(beat);
        }
      });
    },
  );
  void runViewSchema;
}
