/**
 * Makes the database and the engine agree, on every start: runs whose host died are adopted (their container's
 * log is read from where the database stopped, so nothing is lost or doubled), queued runs get free slots, and
 * labelled containers that no run owns are removed.
 */
import { LABEL } from '../runtime/index.ts';
import type { Paddock } from './context.ts';
import { sweepRunSecretFiles } from './secrets.ts';
import { netnsLast } from '../services/index.ts';
import { sweepEndedRunServices } from './services.ts';

export interface ReconcileReport {
  adopted: string[];
  orphansRemoved: string[];
}

export async function reconcile(p: Paddock, opts: { removeOrphans?: boolean } = {}): Promise<ReconcileReport> {
  const report: ReconcileReport = { adopted: p.host.adoptOrphans(), orphansRemoved: [] };
  // Secrets files of runs that ended while no daemon was there to remove them.
  sweepRunSecretFiles(p);
  if (opts.removeOrphans) {
    const runtime = await p.runtime();
    // A namespace holder after the containers joined to it (Podman refuses it before them).
    for (const c of netnsLast(await runtime.listContainers({ [LABEL.managed]: 'true', [LABEL.instance]: p.instance }))) {
      const runId = c.labels[LABEL.run];
      if (runId && !p.runs.get(runId)) {
        await runtime.removeContainer(c.id);
        report.orphansRemoved.push(c.name);
      }
    }
    // Services of runs that ended while no daemon was there to tear them down (docs/services.md).
    report.orphansRemoved.push(...(await sweepEndedRunServices(p)));
  }
  return report;
}

/** Cheap form for read-only commands: adopt orphaned runs only, no engine round trip when nothing needs it. */
export async function adoptOrphanedRuns(p: Paddock): Promise<string[]> {
  return (await reconcile(p, { removeOrphans: false })).adopted;
}
