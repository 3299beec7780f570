/**
 * Stromboli's persistent agents (0.5.x `/agents`): an agent is a Paddock persistent run (keepAlive) — so it has its
 * own clone and branch, survives a daemon restart, and its turns are stored and delivered once. Shapes, statuses and
 * error strings are Stromboli's (API.md §12, §5.2); where Paddock differs, docs/api.md says so.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { conversationEvents, conversationState, ErrorCode, findRun, isPaddockError, listRuns, type Paddock, type Run, sendMessage, spawnRun, stopRun } from '../../app/index.ts';
import type { ApiEnv } from '../context.ts';
import { HTTP_FOR_ERROR } from '../errors.ts';
import { readJson } from './errors.ts';
import { spawnInputOf } from './map.ts';
import { claudeOptionsWire, plainErrorWire } from './wire.ts';

const str = z.string().nullish();

export const createAgentWire = z
  .object({
    prompt: str.describe('First turn, sent at once (optional: an agent without one waits for /send)'),
    workdir: str.describe('As for /run: a git repository gets its own clone and branch; a plain directory under PADDOCK_WORKDIR_ROOTS is mounted; absent, an empty workspace'),
    idle_timeout_seconds: z.number().int().nullish().describe('0: the default (PADDOCK_IDLE_TIMEOUT); negative is refused'),
    disable_idle_timeout: z.boolean().nullish().describe("Never end for being idle (only DELETE, or the run's timeout, ends it)"),
    claude: claudeOptionsWire.nullish(),
  })
  .strict()
  .meta({ id: 'StromboliCreateAgentRequest' });

export const agentStatusWire = z.enum(['starting', 'idle', 'generating', 'exited']);
export const agentSnapshotWire = z
  .object({
    id: z.string(),
    session_id: z.string(),
    status: agentStatusWire,
    created_at: z.string(),
    last_activity_at: z.string(),
    idle_timeout_seconds: z.number().int(),
    turns_completed: z.number().int(),
    exit_error: z.string().optional(),
    idle_timeout_disabled: z.boolean().optional(),
  })
  .meta({ id: 'StromboliAgentSnapshot' });
export const sendAgentWire = z.object({ prompt: z.string() }).strict().meta({ id: 'StromboliSendAgentRequest' });

/** Fields of `claude` Paddock sets itself for a persistent agent (stream-json both ways), whatever the request says. */
const FORCED = ['input_format', 'output_format', 'replay_user_messages', 'verbose'] as const;
/** The task of an agent created without a prompt (it is never sent: the agent waits for its first message). */
const NO_PROMPT_TASK = 'Persistent agent: waiting for its first message';

/** A refusal in Stromboli's words and status (`{"error": message}`). */
class AgentRefusal extends Error {
  readonly status: ContentfulStatusCode;
  constructor(message: string, status: ContentfulStatusCode) {
    super(message);
    this.status = status;
  }
}
const agentError = (message: string, status: ContentfulStatusCode) => new AgentRefusal(message, status);
const NOT_FOUND = () => agentError('agent: not found', 404);

const iso = (ms: number) => new Date(ms).toISOString();

/** agent-<run id> (or the run id) → the persistent run; anything else is Stromboli's "agent: not found". */
function agentRun(p: Paddock, id: string): Run {
  const key = id.startsWith('agent-') ? id.slice('agent-'.length) : id;
  let run: Run;
  try {
    run = findRun(p, key);
  } catch {
    throw NOT_FOUND();
  }
  if (!run.keepAlive) throw NOT_FOUND();
  return run;
}

export function snapshotOf(p: Paddock, run: Run): z.infer<typeof agentSnapshotWire> {
  const s = conversationState(p, run.id);
  const r = s.run;
  const ended = ['completed', 'failed', 'cancelled', 'timed_out', 'crashed'].includes(r.state);
  const status = ended ? 'exited' : ['queued', 'pending', 'starting'].includes(r.state) ? 'starting' : s.busy ? 'generating' : 'idle';
  const disabled = r.idleTimeoutMs === 0;
  const exitError = !ended ? undefined : s.inputClosed === 'idle' ? 'agent: idle timeout reached' : r.state === 'completed' ? undefined : (r.reason ?? r.state);
  return {
    id: `agent-${r.id}`,
    session_id: r.sessionId,
    status,
    created_at: iso(r.createdAt),
    last_activity_at: iso(Math.max(r.createdAt, r.lastOutputAt ?? 0, s.lastSentAt ?? 0, r.finishedAt ?? 0)),
    idle_timeout_seconds: Math.round((disabled ? p.config.idleTimeout : (r.idleTimeoutMs ?? p.config.idleTimeout)) / 1000),
    turns_completed: s.turnsCompleted,
    ...(exitError ? { exit_error: exitError } : {}),
    ...(disabled ? { idle_timeout_disabled: true } : {}),
  };
}

/** Errors of these routes: `{"error": "agent: …"}` with Stromboli's status where it has one, else the code's. */
function answer(c: Context<ApiEnv>, e: unknown, what: 'invalid request' | 'spawn' | 'send'): Response {
  if (e instanceof AgentRefusal) return c.json({ error: e.message }, e.status);
  if (!isPaddockError(e)) throw e;
  if (e.code === ErrorCode.InvalidInput) return c.json({ error: `agent: invalid request: ${e.message.replace(/^Invalid request: /, '')}` }, 400);
  return c.json({ error: `agent: ${what}: ${e.message}` }, HTTP_FOR_ERROR[e.code]);
}

export function registerCompatAgentRoutes(app: OpenAPIHono<ApiEnv>, p: Paddock, shutdown: AbortSignal): void {
  const tags = ['stromboli'];
  const errorBody = (description: string) => ({ description, content: { 'application/json': { schema: plainErrorWire } } });
  const params = z.object({ id: z.string().describe('agent-<run id> (the run id alone works too)') });
  const snapshot = { description: 'The agent', content: { 'application/json': { schema: agentSnapshotWire } } };

  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/agents',
    tags,
    summary: 'Spawn a persistent agent (Stromboli): a persistent run, stream-json both ways; a prompt is its first turn',
    request: { body: { required: true, content: { 'application/json': { schema: createAgentWire } } } },
    responses: { 201: snapshot, 400: errorBody('Invalid request'), 500: errorBody('Spawn failed') },
  });
  app.post('/agents', async (c) => {
    try {
      const req = await readJson(c, createAgentWire);
      if ((req.idle_timeout_seconds ?? 0) < 0) throw agentError('agent: invalid request: idle_timeout_seconds must be non-negative', 400);
      const prompt = req.prompt?.trim() ? req.prompt : undefined;
      const claude = { ...(req.claude ?? {}) } as Record<string, unknown>;
      for (const k of FORCED) delete claude[k];
      const { input } = await spawnInputOf(p, { prompt: prompt ?? NO_PROMPT_TASK, workdir: req.workdir ?? null, claude: claude as z.infer<typeof claudeOptionsWire> });
      const seconds = req.idle_timeout_seconds ?? 0;
      const run = await spawnRun(
        p,
        {
          ...input,
          keepAlive: true,
          ...(req.disable_idle_timeout ? { idleTimeout: 0 } : seconds > 0 ? { idleTimeout: seconds } : {}),
        },
        { firstMessage: prompt !== undefined },
      );
      return c.json(snapshotOf(p, p.runs.get(run.id) ?? run), 201);
    } catch (e) {
      return answer(c, e, 'spawn');
    }
  });

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/agents',
    tags,
    summary: 'Persistent agents (Stromboli): a bare array of snapshots — the live ones and those that ended in the last day',
    responses: { 200: { description: 'The agents', content: { 'application/json': { schema: z.array(agentSnapshotWire) } } } },
  });
  app.get('/agents', async (c) => {
    const runs = (await listRuns(p, {})).filter((r) => r.keepAlive);
    return c.json(
      runs.map((r) => snapshotOf(p, r)),
      200,
    );
  });

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/agents/{id}',
    tags,
    summary: 'One persistent agent (Stromboli)',
    request: { params },
    responses: { 200: snapshot, 404: errorBody('agent: not found') },
  });
  app.get('/agents/:id', (c) => {
    try {
      return c.json(snapshotOf(p, agentRun(p, c.req.param('id'))), 200);
    } catch (e) {
      return answer(c, e, 'invalid request');
    }
  });

  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/agents/{id}/send',
    tags,
    summary: 'Send a persistent agent its next turn (Stromboli): 202 {turn_id}; 409 while a turn is in progress, 410 once it has exited',
    request: { params, body: { required: true, content: { 'application/json': { schema: sendAgentWire } } } },
    responses: {
      202: { description: 'Accepted', content: { 'application/json': { schema: z.object({ turn_id: z.string() }).meta({ id: 'StromboliSendAgentResponse' }) } } },
      400: errorBody('Bad request'),
      404: errorBody('agent: not found'),
      409: errorBody('agent: a turn is already in progress'),
      410: errorBody('agent: process has exited'),
    },
  });
  app.post('/agents/:id/send', async (c) => {
    try {
      const run = agentRun(p, c.req.param('id'));
      const req = await readJson(c, sendAgentWire);
      if (req.prompt.trim() === '') throw agentError('agent: invalid request: prompt is required', 400);
      const state = conversationState(p, run.id);
      if (['completed', 'failed', 'cancelled', 'timed_out', 'crashed'].includes(state.run.state) || state.inputClosed) throw agentError('agent: process has exited', 410);
      // Stromboli refuses a turn while one is going; Paddock's own API would queue it (POST /api/v1/runs/{id}/messages).
      if (state.busy && !['queued', 'pending', 'starting'].includes(state.run.state)) throw agentError('agent: a turn is already in progress', 409);
      const sent = sendMessage(p, run.id, req.prompt);
      return c.json({ turn_id: `turn-${run.id}-${sent.message.seq}` }, 202);
    } catch (e) {
      if (isPaddockError(e) && e.code === ErrorCode.Conflict && (e.details?.reason === 'ended' || e.details?.reason === 'closing')) return c.json({ error: 'agent: process has exited' }, 410);
      return answer(c, e, 'send');
    }
  });

  app.openAPIRegistry.registerPath({
    method: 'delete',
    path: '/agents/{id}',
    tags,
    summary: 'Stop a persistent agent (Stromboli): 204; between turns its input is closed, mid-turn it is stopped; its work comes back on its branch',
    request: { params },
    responses: { 204: { description: 'Stopping' }, 404: errorBody('agent: not found') },
  });
  app.delete('/agents/:id', async (c) => {
    try {
      const run = agentRun(p, c.req.param('id'));
      await stopRun(p, run.id, { wait: false });
      return c.body(null, 204);
    } catch (e) {
      return answer(c, e, 'invalid request');
    }
  });

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/agents/{id}/stream',
    tags,
    summary:
      "A persistent agent's events (Stromboli SSE): `event: <type>` with {type, turn_id, content, error, at} for turn_start, output (one stdout line, verbatim), turn_end, error (a stderr line), exited; then `event: closed`. No ids, no replay",
    request: { params },
    responses: { 200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: z.string() } } }, 404: errorBody('agent: not found') },
  });
  app.get('/agents/:id/stream', (c) => {
    let run: Run;
    try {
      run = agentRun(p, c.req.param('id'));
    } catch (e) {
      return answer(c, e, 'invalid request');
    }
    c.header('X-Accel-Buffering', 'no');
    return streamSSE(c, async (stream) => {
      const stop = AbortSignal.any([shutdown, c.req.raw.signal]);
      stream.onAbort(() => {});
      const turnId = (seq: number | null) => (seq === null ? undefined : `turn-${run.id}-${seq}`);
      const send = (type: string, fields: { turn_id?: string | undefined; content?: string; error?: string }) =>
        stream.writeSSE({
          event: type,
          data: JSON.stringify({
            type,
            ...(fields.turn_id ? { turn_id: fields.turn_id } : {}),
            ...(fields.content !== undefined ? { content: fields.content } : {}),
            ...(fields.error ? { error: fields.error } : {}),
            at: new Date().toISOString(),
          }),
        });
      let current: number | null = null;
      for await (const e of conversationEvents(p, run.id, stop)) {
        if (e.type === 'turn_start') {
          current = e.seq;
          await send('turn_start', { turn_id: turnId(e.seq) });
        } else if (e.type === 'output') await send('output', { turn_id: turnId(current), content: e.line });
        else if (e.type === 'error') await send('error', { turn_id: turnId(current), error: e.line });
        else if (e.type === 'turn_end') await send('turn_end', { turn_id: turnId(e.seq ?? current) });
        else await send('exited', { ...(snapshotOf(p, e.run).exit_error ? { error: snapshotOf(p, e.run).exit_error! } : {}) });
      }
      if (!stop.aborted) await stream.writeSSE({ event: 'closed', data: '{}' });
    });
  });
}

/** The register function for createApi's extraRoutes. */
export function compatAgentRoutes(p: Paddock, shutdown: AbortSignal): (app: OpenAPIHono<ApiEnv>) => void {
  return (app) => registerCompatAgentRoutes(app, p, shutdown);
}
