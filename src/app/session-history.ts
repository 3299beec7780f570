/**
 * A session's conversation as messages, run after run: each run's prompt, then what the agent said and did (text,
 * thinking, tool calls) and what its tools answered. Built from Paddock's event log, not from Claude's JSONL in the
 * session's HOME volume: the log survives the container's removal, and the host never has to read (and trust) a
 * file the agent could have replaced. Message ids are stable (derived from the run and event), so one can be
 * fetched again by id.
 */
import { createHash } from 'node:crypto';
import type { Run } from '../jobs/index.ts';
import type { StoredEvent } from '../events/index.ts';
import { IN_CONTAINER } from '../runtime/index.ts';
import type { Paddock } from './context.ts';

export type SessionMessageBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'tool_result'; toolUseId: string; content: string; isError: boolean };

export interface SessionMessage {
  /** A UUID, stable for this message. */
  id: string;
  /** The message before it in the conversation (null for the first). */
  parentId: string | null;
  type: 'user' | 'assistant';
  sessionId: string;
  runId: string;
  /** Epoch milliseconds. */
  ts: number;
  /** The agent's working directory. */
  cwd: string;
  /** The run branch (clone workspaces), else null. */
  branch: string | null;
  /** The agent CLI version the image carries. */
  version: string;
  permissionMode: string | null;
  role: 'user' | 'assistant';
  /** The model that answered (assistant messages). */
  model: string | null;
  blocks: SessionMessageBlock[];
}

const AGENT_KINDS = new Set(['text', 'thinking', 'tool_use', 'tool_result']);

/** Every message of the session, oldest first; undefined when there is no such session. */
export function sessionMessages(p: Paddock, sessionId: string): SessionMessage[] | undefined {
  const session = p.sessions.get(sessionId);
  if (!session) return undefined;
  // Oldest run first: the conversation's order.
  const ids = p.db.prepare('SELECT id FROM runs WHERE session_id = ? ORDER BY created_at, id').all(session.id) as { id: string }[];
  const messages: SessionMessage[] = [];
  let parentId: string | null = null;
  const push = (m: Omit<SessionMessage, 'parentId'>) => {
    messages.push({ ...m, parentId });
    parentId = m.id;
  };
  for (const { id } of ids) {
    const run = p.runs.get(id);
    if (!run) continue;
    const base = {
      sessionId: session.id,
      runId: run.id,
      cwd: IN_CONTAINER.workspace,
      branch: run.workspace === 'clone' ? run.branch : null,
      version: p.config.claudeCodeVersion,
      permissionMode: permissionModeOf(run),
    };
    push({ ...base, id: messageId(run.id, 0), type: 'user', ts: run.startedAt ?? run.createdAt, role: 'user', model: null, blocks: [{ type: 'text', text: run.prompt }] });
    let model = run.model;
    for (const e of agentEvents(p, run.id)) {
      if (e.kind === 'init') {
        if (typeof e.data.model === 'string' && e.data.model !== '') model = e.data.model;
        continue;
      }
      const block = blockOf(e);
      if (!block) continue;
      const user = block.type === 'tool_result';
      push({ ...base, id: messageId(run.id, e.seq), type: user ? 'user' : 'assistant', ts: e.ts, role: user ? 'user' : 'assistant', model: user ? null : model, blocks: [block] });
    }
  }
  return messages;
}

/** The agent's events of a run, read in pages (a long run has many). */
function* agentEvents(p: Paddock, runId: string): Generator<StoredEvent> {
  let after = 0;
  for (;;) {
    const page = p.events.list(runId, after, 2000);
    if (page.length === 0) return;
    for (const e of page) if (e.source === 'agent' && (AGENT_KINDS.has(e.kind) || e.kind === 'init')) yield e;
    after = page.at(-1)!.seq;
  }
}

/** One event as a content block; the data is what the agent printed, so every field is checked for its type. */
function blockOf(e: StoredEvent): SessionMessageBlock | undefined {
  const d = e.data;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  switch (e.kind) {
    case 'text':
      return { type: 'text', text: str(d.text) };
    case 'thinking':
      return { type: 'thinking', text: str(d.text) };
    case 'tool_use': {
      const input = typeof d.input === 'object' && d.input !== null && !Array.isArray(d.input) ? (d.input as Record<string, unknown>) : {};
      return { type: 'tool_use', id: str(d.id), name: str(d.name), input };
    }
    case 'tool_result':
      return { type: 'tool_result', toolUseId: str(d.toolUseId), content: str(d.content), isError: d.isError === true };
    default:
      return undefined;
  }
}

/** The permission mode the run's agent ran in (bypass is Paddock's default in its sealed container). */
function permissionModeOf(run: Run): string | null {
  const o = run.options;
  if (typeof o.permission_mode === 'string') return o.permission_mode;
  return o.dangerously_skip_permissions === false ? 'default' : 'bypassPermissions';
}

/** A name-based UUID (version 5 layout, SHA-1) for the event `seq` of a run; seq 0 is the run's prompt. */
export function messageId(runId: string, seq: number): string {
  const h = createHash('sha1').update(`paddock-session-message:${runId}:${seq}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
