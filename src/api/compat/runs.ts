/**
 * Stromboli's execution endpoints: POST /run (spawn, wait for the end, answer the result), POST /run/async (a job
 * id at once), GET /run/stream (SSE in Stromboli's frames). A run is a run whatever started it: it persists, shows up
 * in /jobs, and goes on when the client goes away (DELETE /jobs/{id} stops it).
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { isTerminal, modelAccessConfigured, type Paddock, type Run, runEvents, setOutputFormat, spawnRun, stromboliJobId, waitForRun } from '../../app/index.ts';
import type { ApiEnv } from '../context.ts';
import { readJson } from './errors.ts';
import { runResponseOf, spawnInputOf, streamRequestOf } from './map.ts';
import { asyncRunResponseWire, runRequestWire, runResponseWire } from './wire.ts';

const HEARTBEAT_MS = 15_000;
const NOT_CONFIGURED = 'Claude not configured: set ANTHROPIC_API_KEY (or CLAUDE_CODE_OAUTH_TOKEN) where paddock serve runs, or point PADDOCK_ANTHROPIC_BASE_URL at a model endpoint on this machine';

/** SSE ids carry the run and the event: `<run id>.<seq>`, so a reconnect (Last-Event-ID) resumes that run, never starts another. */
const STREAM_ID = /^([0-9a-f]{12})\.(\d{1,12})$/;

export function registerCompatRunRoutes(app: OpenAPIHono<ApiEnv>, p: Paddock, shutdown: AbortSignal): void {
  const tags = ['stromboli'];
  const body = { required: true, content: { 'application/json': { schema: runRequestWire } } };
  const errors = {
    description: 'Error: {"id":"","status":"error","error":"…"} (400 bad input, 404 no such session, 409 session or branch in use, 503 no engine or no model access)',
    content: { 'application/json': { schema: runResponseWire } },
  };

  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/run',
    tags,
    summary: 'Run Claude and wait for the end (Stromboli). 200 completed or crashed; 500 when the run failed',
    request: { body },
    responses: { 200: { description: 'The result', content: { 'application/json': { schema: runResponseWire } } }, 400: errors, 500: errors, 503: errors },
  });
  app.post('/run', async (c) => {
    const req = await readJson(c, runRequestWire);
    if (!modelAccessConfigured(p)) return c.json({ id: '', status: 'error', error: NOT_CONFIGURED }, 503);
    const { input, outputFormat } = await spawnInputOf(p, req);
    const run = await spawnRun(p, input);
    setOutputFormat(p, run.id, outputFormat);
    c.header('X-Paddock-Job-Id', stromboliJobId(run.id));
    // Waits for the end, not the client: a client that leaves stops the waiting, the run goes on as a job.
    const ended = await waitForRun(p, run.id, AbortSignal.any([shutdown, c.req.raw.signal]));
    if (!ended || !isTerminal(ended.state)) {
      return c.json(
        { id: `run-${run.id}`, status: 'error', error: `Paddock is shutting down; the run goes on as job ${stromboliJobId(run.id)} (GET /jobs/${stromboliJobId(run.id)})`, session_id: run.sessionId },
        503,
      );
    }
    const r = await runResponseOf(p, ended, outputFormat);
    return c.json(r.body, r.status);
  });

  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/run/async',
    tags,
    summary: 'Start a run as a job (Stromboli): 202 with its job id and session id',
    request: { body },
    responses: { 202: { description: 'Accepted', content: { 'application/json': { schema: asyncRunResponseWire } } }, 400: errors, 503: errors },
  });
  app.post('/run/async', async (c) => {
    const req = await readJson(c, runRequestWire);
    if (!modelAccessConfigured(p)) return c.json({ id: '', status: 'error', error: NOT_CONFIGURED }, 503);
    const { input, outputFormat } = await spawnInputOf(p, req);
    const run = await spawnRun(p, input);
    setOutputFormat(p, run.id, outputFormat);
    return c.json({ job_id: stromboliJobId(run.id), session_id: run.sessionId }, 202);
  });

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/run/stream',
    tags,
    summary:
      "Run Claude and stream its output (Stromboli SSE): `data: <line>` per line of the agent's text, then `event: done` ({id, session_id, status}) or `event: error`. Ids are `<run>.<seq>`: a reconnect with Last-Event-ID resumes the same run",
    request: { query: z.object({ prompt: z.string(), workdir: z.string().optional(), session_id: z.string().optional() }) },
    responses: {
      200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: z.string() } } },
      204: { description: 'Last-Event-ID names a run that has ended and sent everything: nothing more to stream (an EventSource stops reconnecting)' },
      400: { description: 'text/plain: Missing required parameter: prompt', content: { 'text/plain': { schema: z.string() } } },
      503: { description: 'text/plain: not configured, or no engine', content: { 'text/plain': { schema: z.string() } } },
    },
  });
  app.get('/run/stream', async (c) => {
    let run: Run | undefined;
    let after = 0;
    const resumed = STREAM_ID.exec(c.req.header('last-event-id') ?? '');
    if (resumed) {
      run = p.runs.get(resumed[1]!);
      after = Number(resumed[2]);
      if (!run || (isTerminal(run.state) && p.events.lastSeq(run.id) <= after)) return c.body(null, 204);
    } else {
      const prompt = c.req.query('prompt');
      if (!prompt) return c.text('Missing required parameter: prompt', 400);
      if (!modelAccessConfigured(p)) return c.text(NOT_CONFIGURED, 503);
      const { input, outputFormat } = await spawnInputOf(p, streamRequestOf({ prompt, workdir: c.req.query('workdir'), session_id: c.req.query('session_id') }));
      run = await spawnRun(p, input);
      setOutputFormat(p, run.id, outputFormat);
    }
    const runId = run.id;
    c.header('X-Accel-Buffering', 'no');
    c.header('X-Paddock-Job-Id', stromboliJobId(runId));
    return streamSSE(c, async (stream) => {
      const stop = AbortSignal.any([shutdown, c.req.raw.signal]);
      stream.onAbort(() => {});
      const beat = setInterval(() => void stream.write(': ping\n\n').catch(() => {}), HEARTBEAT_MS);
      try {
        for await (const e of runEvents(p, runId, { follow: true, afterSeq: after, signal: stop })) {
          const text = e.kind === 'text' && e.source === 'agent' ? e.data.text : e.kind === 'stderr' ? e.data.text : undefined;
          if (typeof text !== 'string') continue;
          // One frame per line; a CR is a line break too, so agent text can never start a frame of its own.
          for (const line of text.split(/\r\n|\r|\n/)) await stream.writeSSE({ id: `${runId}.${e.seq}`, data: line });
        }
        const final = p.runs.get(runId);
        if (!final || !isTerminal(final.state)) return; // the server is stopping: a reconnect resumes from the last id
        const last = `${runId}.${p.events.lastSeq(runId)}`;
        if (final.state === 'completed') {
          await stream.writeSSE({ event: 'done', id: last, data: JSON.stringify({ id: `run-${runId}`, session_id: final.sessionId, status: 'completed' }) });
        } else {
          await stream.writeSSE({ event: 'error', id: last, data: `${final.state}: ${final.reason ?? 'the run did not complete'}` });
        }
      } finally {
        clearInterval(beat);
      }
    });
  });
}
