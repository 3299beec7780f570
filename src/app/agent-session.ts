/**
 * The id a resumed CLI is given. Claude takes Paddock's session id as its own (--session-id, then --resume). A CLI
 * that names its session itself (AgentAdapter.namesItsSession: Codex's thread id) announced it in its init event, stored
 * with the run's events: a resume is given the id from the latest init event of the session's earlier runs. The id
 * is the agent's output, so it is checked to be a UUID (it goes into the next run's argv).
 */
import type { AgentAdapter } from '../agents/types.ts';
import type { Run } from '../jobs/index.ts';
import type { Paddock } from './context.ts';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The CLI's own id of the run's session (for a resume of a CLI that names its session), else Paddock's session id. */
export function agentSessionIdOf(p: Paddock, run: Pick<Run, 'id' | 'sessionId' | 'resume'>, adapter: Pick<AgentAdapter<unknown>, 'namesItsSession' | 'name'>): string {
  if (!adapter.namesItsSession || !run.resume) return run.sessionId;
  const rows = p.db
    .prepare(
      `SELECT e.data AS data FROM events e JOIN runs r ON r.id = e.run_id
       WHERE r.session_id = ? AND r.id <> ? AND r.agent = ? AND e.kind = 'init' AND e.source = 'agent'
       ORDER BY r.created_at DESC, e.seq DESC LIMIT 20`,
    )
    .all(run.sessionId, run.id, adapter.name) as { data: string }[];
  for (const row of rows) {
    let id: unknown;
    try {
      id = (JSON.parse(row.data) as { sessionId?: unknown }).sessionId;
    } catch {
      continue;
    }
    if (typeof id === 'string' && UUID_RE.test(id)) return id;
  }
  throw new Error(`session ${run.sessionId} has no ${adapter.name} conversation to resume (no earlier run of it announced one)`);
}
