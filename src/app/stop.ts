import { setTimeout as sleep } from 'node:timers/promises';
import { isTerminal, ownerAlive, type Run, transitionRun } from '../jobs/index.ts';
import type { Paddock } from './context.ts';
import { findRun } from './find-run.ts';
import { reconcile } from './reconcile.ts';
import type { SupervisionMode } from './supervision.ts';

export interface StopResult {
  run: Run;
  alreadyEnded: boolean;
}

/**
 * Stops a run: SIGTERM to the agent, SIGKILL after the grace period (3 s by default), so the container ends within
 * 5 s. The supervisor then commits the work so far and brings it back to the run branch.
 */
export async function stopRun(p: Paddock, idOrPrefix: string, opts: { supervision: SupervisionMode; wait?: boolean }): Promise<StopResult> {
  let run = findRun(p, idOrPrefix);
  if (isTerminal(run.state)) return { run, alreadyEnded: true };
  if (run.state === 'pending' && !ownerAlive(run.ownerPid, run.ownerStart)) {
    run = transitionRun(p.runs, p.events, run.id, 'cancelled', { reason: 'stopped by user', phase: 'done', finishedAt: Date.now(), stopRequested: 'user' });
    return { run, alreadyEnded: false };
  }
  const runtime = run.containerId ? await p.runtime() : undefined;
  const container = run.containerId ? await runtime?.inspectContainer(run.containerId) : undefined;
  // A container that already exited on its own ended the run, whatever we ask now: its outcome stands.
  if (!container || container.running || container.status === 'created') p.runs.update(run.id, { stopRequested: run.stopRequested ?? 'user' });
  if (container?.running && runtime && run.containerId) await runtime.stopContainer(run.containerId, Math.ceil(p.config.stopGrace / 1000));
  await reconcile(p, { supervision: opts.supervision }); // nobody supervising it? then someone must record the end
  if (opts.wait !== false) {
    const deadline = Date.now() + 60_000;
    while (!isTerminal(findRun(p, run.id).state) && Date.now() < deadline) await sleep(100);
  }
  return { run: findRun(p, run.id), alreadyEnded: false };
}
