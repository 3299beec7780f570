/**
 * Finished runs keep their container for a while (its log is the raw output; an engine inspect still answers), then
 * lose it: PADDOCK_JOB_TTL after a run ended, the daemon's periodic pass removes the container. The run's record,
 * events, result and branch stay: the job is still there, only its container is gone.
 */
import { isTerminal } from '../jobs/index.ts';
import { LABEL } from '../runtime/index.ts';
import type { Paddock } from './context.ts';
import { netnsLast } from '../services/index.ts';

/** Removes the containers of runs that ended at least PADDOCK_JOB_TTL ago; returns their names. One engine list per call. */
export async function expireFinishedContainers(p: Paddock, now = Date.now()): Promise<string[]> {
  const runtime = await p.runtime();
  const removed: string[] = [];
  // A run's namespace holder after the containers joined to it (docs/services.md).
  for (const c of netnsLast(await runtime.listContainers({ [LABEL.managed]: 'true', [LABEL.instance]: p.instance }))) {
    const run = p.runs.get(c.labels[LABEL.run] ?? '');
    if (!run || !isTerminal(run.state) || c.running) continue; // no run: reconcile's business; live: never
    const ended = run.finishedAt ?? run.updatedAt;
    if (now - ended < p.config.jobTtl) continue;
    await runtime.removeContainer(c.id);
    removed.push(c.name);
  }
  return removed;
}
