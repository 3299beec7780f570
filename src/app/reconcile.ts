/**
 * Makes the database and the engine agree, on every start: runs whose supervisor died are adopted (their container's
 * log is read from where the database stopped, so nothing is lost or doubled), and labelled containers that no run
 * owns are removed.
 */
import { LIVE_STATES, ownerAlive } from '../jobs/index.ts';
import { LABEL } from '../runtime/index.ts';
import type { Paddock } from './context.ts';
import { supervise, type SupervisionMode } from './supervision.ts';

export interface ReconcileReport {
  adopted: string[];
  orphansRemoved: string[];
}

export async function reconcile(p: Paddock, opts: { supervision: SupervisionMode; removeOrphans?: boolean }): Promise<ReconcileReport> {
  const report: ReconcileReport = { adopted: [], orphansRemoved: [] };
  for (const run of p.runs.list({ states: LIVE_STATES })) {
    if (ownerAlive(run.ownerPid, run.ownerStart)) continue;
    // A pending run whose owner is gone was interrupted mid-spawn; the supervisor records it as crashed.
    supervise(p, run, opts.supervision);
    report.adopted.push(run.id);
  }
  if (opts.removeOrphans) {
    const runtime = await p.runtime();
    for (const c of await runtime.listContainers({ [LABEL.managed]: 'true', [LABEL.instance]: p.instance })) {
      const runId = c.labels[LABEL.run];
      if (runId && !p.runs.get(runId)) {
        await runtime.removeContainer(c.id);
        report.orphansRemoved.push(c.name);
      }
    }
  }
  return report;
}

/** Cheap form for read-only commands: adopt orphaned runs only, no engine round trip when nothing needs it. */
export async function adoptOrphanedRuns(p: Paddock, supervision: SupervisionMode): Promise<string[]> {
  return (await reconcile(p, { supervision, removeOrphans: false })).adopted;
}
