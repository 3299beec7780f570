/** Agent sessions (conversations): listed with what all their runs used, and removed with their HOME volume. */
import { ErrorCode, notFound, PaddockError } from '../errors/index.ts';
import { LABEL } from '../runtime/index.ts';
import type { Session } from '../store/sessions-repo.ts';
import type { SessionUsage } from '../store/runs-repo.ts';
import type { Paddock } from './context.ts';

export interface SessionView {
  id: string;
  agent: string;
  repo: string;
  createdAt: number;
  updatedAt: number;
  lastRunId: string | null;
  usage: SessionUsage;
}

const view = (p: Paddock, s: Session): SessionView => ({
  id: s.id,
  agent: s.agent,
  repo: s.repo,
  createdAt: s.createdAt,
  updatedAt: s.updatedAt,
  lastRunId: s.lastRunId,
  usage: p.runs.sessionUsage(s.id),
});

export function listSessions(p: Paddock): SessionView[] {
  return p.sessions.list().map((s) => view(p, s));
}

export function getSession(p: Paddock, id: string): SessionView {
  const s = p.sessions.get(id);
  if (!s) throw notFound(`no session ${id}`, 'list sessions with GET /api/v1/sessions');
  return view(p, s);
}

/**
 * A session belongs to its repository: its HOME holds what the agent read and wrote there (the transcript, files it
 * kept), so it continues only on the same repository (or mounted directory); a scratch session only in scratch.
 */
export function checkSessionRepo(p: Paddock, s: Session, workspace: 'clone' | 'scratch' | 'mount', repo: string): void {
  const last = s.lastRunId ? p.runs.get(s.lastRunId) : undefined;
  const was = last?.workspace ?? 'clone';
  if (was === 'scratch' && workspace === 'scratch') return;
  if (was === workspace && s.repo === repo) return;
  const where = (w: string, r: string) => (w === 'scratch' ? 'a scratch workspace' : r);
  throw new PaddockError(ErrorCode.Conflict, `session ${s.id} belongs to ${where(was, s.repo)}: it cannot continue on ${where(workspace, repo)}`, {
    hint: `resume it on ${where(was, s.repo)}, or start a new session (leave the session id out)`,
  });
}

/** Removes a session and its HOME volume: it can no longer be resumed. Refused while one of its runs is live. */
export async function deleteSession(p: Paddock, id: string): Promise<void> {
  const s = p.sessions.get(id);
  if (!s) throw notFound(`no session ${id}`, 'list sessions with GET /api/v1/sessions');
  const live = p.runs.liveRunOfSession(id);
  if (live) throw new PaddockError(ErrorCode.Conflict, `session ${id} has a live run ${live.id} (${live.state})`, { hint: `stop run ${live.id} first` });
  const runtime = await p.runtime();
  // Its finished runs' containers still hold the volume (they stay until PADDOCK_JOB_TTL or gc): they go first.
  for (const c of await runtime.listContainers({ [LABEL.managed]: 'true', [LABEL.instance]: p.instance, [LABEL.session]: s.id })) await runtime.removeContainer(c.id);
  await runtime.removeVolume(s.volume);
  p.sessions.delete(id);
}
