/**
 * rm: forgets finished runs. Removes a run's container (if the engine still has it), its run directory (the private
 * checkout, the supervisor log) and its record with its events; with branch, also its run branch in the user's
 * repository, but only if the branch is still where the run left it. A live run is refused.
 */
import { rm } from 'node:fs/promises';
import { ErrorCode, PaddockError } from '../errors/index.ts';
import { isTerminal, type Run } from '../jobs/index.ts';
import { deleteRunBranch, removeCheckout } from '../workspace/index.ts';
import type { Paddock } from './context.ts';
import { diskUsage } from './disk-usage.ts';
import { findRun } from './find-run.ts';
import { removeRunServices } from '../services/index.ts';

export interface RemovedRun {
  id: string;
  /** The run directory that was removed (checkout, logs), or null when there was none left. */
  runDir: string | null;
  /** Bytes on disk the run directory took. */
  bytes: number;
  /** Whether the engine still had the run's container, and it was removed. */
  container: 'removed' | 'absent' | 'left for gc (no engine)';
  /** The run branch: deleted, not asked for, not there, or why it was kept. */
  branch: { name: string; deleted: boolean; note: string };
}

/** Removes every run named (ids or unique prefixes), after checking them all: one live run and nothing is removed. */
export async function removeRuns(p: Paddock, idsOrPrefixes: readonly string[], opts: { branch?: boolean } = {}): Promise<RemovedRun[]> {
  const runs = [...new Map(idsOrPrefixes.map((id) => findRun(p, id)).map((r) => [r.id, r])).values()];
  for (const run of runs) refuseLive(run);
  const removed: RemovedRun[] = [];
  for (const run of runs) removed.push(await removeRun(p, run, opts));
  return removed;
}

function refuseLive(run: Run): void {
  if (isTerminal(run.state)) return;
  throw new PaddockError(ErrorCode.Conflict, `run ${run.id} is still ${run.state}; only a finished run can be removed`, {
    hint: `stop it first (paddock stop ${run.id}), then paddock rm ${run.id}`,
    details: { id: run.id, state: run.state },
  });
}

/** Removes one finished run (also used by gc --older-than). The branch goes first: if it is refused, nothing is removed. */
export async function removeRun(p: Paddock, run: Run, opts: { branch?: boolean } = {}): Promise<RemovedRun> {
  const current = p.runs.get(run.id) ?? run;
  refuseLive(current);
  const branch = opts.branch ? await removeBranch(p, current) : { name: current.branch, deleted: false, note: 'kept (pass --branch to delete it)' };

  let container: RemovedRun['container'] = 'absent';
  if (current.containerId) {
    try {
      const runtime = await p.runtime();
      const c = await runtime.inspectContainer(current.containerId).catch(() => undefined);
      if (c) {
        await runtime.removeContainer(current.containerId);
        container = 'removed';
      }
      // Its services (kept ones too) and its namespace holder, now that nothing is joined to it.
      await removeRunServices(runtime, p.instance, current.id);
    } catch {
      container = 'left for gc (no engine)'; // labelled: gc removes it once no run owns it
    }
  }
  const bytes = await diskUsage(current.runDir);
  const had = bytes > 0;
  await removeCheckout(current.runDir).catch(() => {}); // restores write permission an agent may have taken away
  await rm(current.runDir, { recursive: true, force: true, maxRetries: 2 });
  p.runs.delete(current.id); // its events go with it (ON DELETE CASCADE)
  return { id: current.id, runDir: had ? current.runDir : null, bytes, container, branch };
}

async function removeBranch(p: Paddock, run: Run): Promise<RemovedRun['branch']> {
  const name = run.branch;
  if (!run.bringBack) return { name, deleted: false, note: 'explore run: it made no branch in your repository' };
  if (run.headSha === null) return { name, deleted: false, note: 'the run brought no branch back' };
  const r = await deleteRunBranch({ paddockHome: p.config.home, repo: run.repo, branch: name, expectedHead: run.headSha });
  return r.deleted ? { name, deleted: true, note: `deleted from ${run.repo}` } : { name, deleted: false, note: 'already gone' };
}
