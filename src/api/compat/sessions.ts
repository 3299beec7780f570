/**
 * Stromboli's sessions: a session is an agent conversation (Paddock's session, with its HOME volume). Its messages
 * come from Paddock's event log (app/session-history.ts), in Stromboli's Message shape.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { deleteSession, listSessions, notFound, type Paddock, type SessionMessage, sessionMessages } from '../../app/index.ts';
import type { ApiEnv } from '../context.ts';
import { messageWire, plainErrorWire, sessionDestroyWire, sessionListWire, sessionMessagesWire, sessionMessageWire } from './wire.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function registerCompatSessionRoutes(app: OpenAPIHono<ApiEnv>, p: Paddock): void {
  const tags = ['stromboli'];
  const plain = (d: string) => ({ description: `${d}: {"error":"…"}`, content: { 'application/json': { schema: plainErrorWire } } });

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/sessions',
    tags,
    summary: 'Agent sessions (conversations)',
    responses: { 200: { description: 'Sessions, latest first', content: { 'application/json': { schema: sessionListWire } } } },
  });
  app.get('/sessions', (c) => c.json({ sessions: listSessions(p).map((s) => ({ id: s.id })) }, 200));

  app.openAPIRegistry.registerPath({
    method: 'delete',
    path: '/sessions/{id}',
    tags,
    summary: 'Remove a session and its HOME volume (refused while one of its runs is live: 409)',
    request: { params: z.object({ id: z.string() }) },
    responses: {
      200: { description: 'Removed', content: { 'application/json': { schema: sessionDestroyWire } } },
      400: { description: 'Bad id: {"success":false,"error":"…"}', content: { 'application/json': { schema: sessionDestroyWire } } },
      404: { description: 'No such session', content: { 'application/json': { schema: sessionDestroyWire } } },
      409: { description: 'A run of the session is live', content: { 'application/json': { schema: sessionDestroyWire } } },
    },
  });
  app.delete('/sessions/:id', async (c) => {
    const id = c.req.param('id');
    if (id === '' || id.includes('/') || id.includes('..') || id.includes('\0')) return c.json({ success: false, error: 'invalid session id' }, 400);
    if (!UUID.test(id)) throw notFound(`session not found: ${id.slice(0, 100)}`);
    await deleteSession(p, id.toLowerCase());
    return c.json({ success: true, session_id: id }, 200);
  });

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/sessions/{id}/messages',
    tags,
    summary: "A session's messages, oldest first: each run's prompt, the agent's text and tool calls, the tools' results",
    request: {
      params: z.object({ id: z.string() }),
      query: z.object({ offset: z.string().optional().describe('Default 0 (a bad value counts as 0)'), limit: z.string().optional().describe('Default 50, at most 200') }),
    },
    responses: { 200: { description: 'A page', content: { 'application/json': { schema: sessionMessagesWire } } }, 404: plain('No such session') },
  });
  app.get('/sessions/:id/messages', (c) => {
    const id = c.req.param('id');
    const all = historyOf(p, id);
    const offset = intOr(c.req.query('offset'), 0, (n) => n >= 0);
    const limit = Math.min(
      200,
      intOr(c.req.query('limit'), 50, (n) => n > 0),
    );
    const page = all.slice(offset, offset + limit).map(messageOf);
    return c.json({ messages: page, total: all.length, offset, limit, has_more: offset + page.length < all.length }, 200);
  });

  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/sessions/{id}/messages/{message_id}',
    tags,
    summary: 'One message of a session, by its uuid',
    request: { params: z.object({ id: z.string(), message_id: z.string() }) },
    responses: { 200: { description: 'The message', content: { 'application/json': { schema: sessionMessageWire } } }, 404: plain('No such session or message') },
  });
  app.get('/sessions/:id/messages/:message_id', (c) => {
    const messageId = c.req.param('message_id');
    const found = historyOf(p, c.req.param('id')).find((m) => m.id === messageId.toLowerCase());
    if (!found) throw notFound(`message not found: ${messageId.slice(0, 100)}`);
    return c.json({ message: messageOf(found) }, 200);
  });
  void messageWire;
}

function historyOf(p: Paddock, id: string): SessionMessage[] {
  const messages = UUID.test(id) ? sessionMessages(p, id.toLowerCase()) : undefined;
  if (!messages) throw notFound(`session history not found: ${id.slice(0, 100)}`);
  return messages;
}

/** Stromboli reads offset and limit leniently: anything unparsable (or out of range) is the default. */
function intOr(v: string | undefined, dflt: number, ok: (n: number) => boolean): number {
  if (v === undefined || !/^\d{1,9}$/.test(v)) return dflt;
  const n = Number(v);
  return ok(n) ? n : dflt;
}

/** A session message in Stromboli's Message shape (its history package's field names; empty fields left out). */
function messageOf(m: SessionMessage): Record<string, unknown> {
  return {
    uuid: m.id,
    ...(m.parentId ? { parent_uuid: m.parentId } : {}),
    type: m.type,
    session_id: m.sessionId,
    timestamp: new Date(m.ts).toISOString(),
    cwd: m.cwd,
    ...(m.branch ? { git_branch: m.branch } : {}),
    version: m.version,
    ...(m.permissionMode ? { permission_mode: m.permissionMode } : {}),
    content: {
      role: m.role,
      ...(m.model ? { model: m.model } : {}),
      content: m.blocks.map((b) => {
        switch (b.type) {
          case 'text':
          case 'thinking':
            return { type: b.type, text: b.text };
          case 'tool_use':
            return { type: 'tool_use', id: b.id, name: b.name, input: b.input };
          case 'tool_result':
            return { type: 'tool_result', tool_use_id: b.toolUseId, content: b.content, is_error: b.isError };
        }
      }),
    },
  };
}
