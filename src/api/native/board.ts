/**
 * The web board's live feed (SSE): `snapshot` (every run, newest first) on connect, then `run` (one run's view)
 * each time a run may have changed. A reconnecting client gets a fresh snapshot, so nothing is missed in between.
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { boardRuns, type Paddock, type RunView, watchRunChanges } from '../../app/index.ts';
import type { ApiEnv } from '../context.ts';
import { errorResponses } from '../schemas.ts';

const HEARTBEAT_MS = 15_000;

export function registerBoardRoutes(app: OpenAPIHono<ApiEnv>, p: Paddock, shutdown: AbortSignal): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/board/stream',
      tags: ['runs'],
      summary: 'Live run changes for the web board (SSE): `snapshot` ({runs}: every run, newest first), then `run` (a Run) whenever one changes',
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(1000).optional().describe('At most this many runs in the snapshot (default 1000)') }) },
      responses: {
        200: { description: 'text/event-stream: snapshot, then run…', content: { 'text/event-stream': { schema: z.string() } } },
        ...errorResponses,
      },
    }),
    (c) => {
      const limit = c.req.valid('query').limit ?? 1000;
      return streamSSE(c, async (stream) => {
        const stop = AbortSignal.any([shutdown, c.req.raw.signal]);
        const pending: RunView[] = [];
        let wake: (() => void) | undefined;
        const unwatch = watchRunChanges(p, (run) => {
          pending.push(run);
          wake?.();
        });
        stop.addEventListener('abort', () => wake?.(), { once: true });
        const beat = setInterval(() => void stream.write(': ping\n\n').catch(() => {}), HEARTBEAT_MS);
        try {
          await stream.writeSSE({ event: 'snapshot', data: JSON.stringify({ runs: await boardRuns(p, limit) }) });
          while (!stop.aborted && !stream.aborted) {
            for (let run = pending.shift(); run; run = pending.shift()) await stream.writeSSE({ event: 'run', data: JSON.stringify(run) });
            await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
          }
        } finally {
          unwatch();
          clearInterval(beat);
        }
      });
    },
  );
}
