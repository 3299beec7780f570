/**
 * resume: continue a run's conversation with a new task, on the same branch, in a fresh container. The earlier run's
 * repo, type, image, limits and agent options carry over unless the request says otherwise.
 */
import { formatBytes } from '../config/index.ts';
import type { Run } from '../jobs/index.ts';
import type { Paddock } from './context.ts';
import { findRun } from './find-run.ts';
import { resolveSession, spawnRun } from './spawn.ts';
import { profileOfRun } from './spawn-profile.ts';
import type { SpawnInput } from './spawn-input.ts';
import { runGrants } from './secrets.ts';
import { networkPolicyOf } from './network.ts';
import { lifecycleInputOf, runLifecycle } from './hooks.ts';

export type ResumeInput = { task: string } & Partial<Omit<SpawnInput, 'repo' | 'task' | 'sessionId' | 'reuseBranch' | 'resume'>>;

/** `ref` is a run id (or prefix), or a session id (the session's latest run is the one continued). */
export async function resumeRun(p: Paddock, ref: string, input: ResumeInput): Promise<Run> {
  const session = resolveSession(p, ref);
  const earlier = /^[0-9a-f]{1,32}$/i.test(ref.trim()) ? findRun(p, ref) : findRun(p, session.lastRunId ?? '');
  // The same kind of workspace: a clone continues on the run's branch; a mounted directory is mounted again; a
  // scratch run gets a new empty directory (its files went with it) but keeps the conversation.
  const where =
    earlier.workspace === 'clone'
      ? { repo: earlier.repo, branch: earlier.branch, reuseBranch: true }
      : earlier.workspace === 'mount'
        ? { workspace: 'mount' as const, repo: earlier.repo }
        : { workspace: 'scratch' as const };
  return spawnRun(p, {
    ...where,
    type: earlier.type,
    image: earlier.image,
    memory: formatBytes(earlier.memoryBytes),
    cpus: earlier.cpus,
    pids: earlier.pids,
    timeout: earlier.timeoutMs / 1000,
    // The same agent CLI (a codex session resumes in codex) with the same options.
    agent: earlier.agent as SpawnInput['agent'],
    agentOptions: earlier.options,
    ...(earlier.model ? { model: earlier.model } : {}),
    // The same extra mounts (as asked, checked again) and secrets as the earlier run.
    ...grantsOf(p, earlier.id),
    // The same network: its mode and the rules it had (checked again: open only where it is still permitted).
    network: networkOf(p, earlier.id),
    // A coordinator goes on as one (its MCP socket comes back with the new run).
    ...(earlier.coordinator ? { coordinator: true } : {}),
    // The same lifecycle hooks: post_start runs again; on_create and post_create only if the session never finished them.
    ...lifecycleOf(p, earlier.id),
    // The same project and persona (its notifications and webhook go on; what the run had is passed above, and wins).
    ...profileOfRun(p, earlier.id),
    ...input,
    sessionId: session.id,
  });
}

function grantsOf(p: Paddock, runId: string): Pick<SpawnInput, 'mounts' | 'secretsEnv'> {
  const g = runGrants(p).get(runId);
  return { mounts: g.mounts, secretsEnv: g.secretsEnv };
}

function networkOf(p: Paddock, runId: string): NonNullable<SpawnInput['network']> {
  const n = networkPolicyOf(p, runId);
  return n.mode === 'proxy' ? { mode: n.mode, allow: n.allow } : { mode: n.mode };
}

function lifecycleOf(p: Paddock, runId: string): Pick<SpawnInput, 'lifecycle'> {
  const l = runLifecycle(p, runId);
  return l ? { lifecycle: lifecycleInputOf(l) } : {};
}
