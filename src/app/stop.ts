import { isTerminal, type Run, transitionRun } from '../jobs/index.ts';
import type { Paddock } from './context.ts';
import { findRun } from './find-run.ts';
import { reconcile } from './reconcile.ts';
import { closeIdleRun } from './messages.ts';

export interface StopResult {
  run: Run;
  alreadyEnded: boolean;
  /** The run had ended on record but its container still ran; it was stopped. */
  stoppedContainer?: boolean;
}

/** Stops the container of a run that has ended on record if it still runs; true if it did. */
async function stopLeftoverContainer(p: Paddock, run: Run): Promise<boolean> {
  if (!run.containerId) return false;
  const runtime = await p.runtime().catch(() => undefined);
  const container = await runtime?.inspectContainer(run.containerId).catch(() => undefined);
  if (!runtime || !container?.running) return false;
  await runtime.stopContainer(run.containerId, Math.ceil(p.config.stopGrace / 1000));
  p.events.append(run.id, { kind: 'note', message: `its container was still running after the run ended (${run.state}): stopped by user` });
  return true;
}

/**
 * Stops a run: a queued one is cancelled at once; a live one gets SIGTERM, then SIGKILL after the grace period (3 s
 * by default), so the container ends within 5 s, and its supervisor commits the work so far and brings it back.
 * With wait (the default), returns once the run has ended (at most a minute), else once the stop is requested.
 */
export async function stopRun(p: Paddock, idOrPrefix: string, opts: { wait?: boolean; signal?: AbortSignal } = {}): Promise<StopResult> {
  const found = findRun(p, idOrPrefix);
  if (isTerminal(found.state)) {
    // Ended on record, yet its container may still run (a supervisor that died or gave up): stop it all the same.
    const stopped = await stopLeftoverContainer(p, found);
    return { run: found, alreadyEnded: !stopped, ...(stopped ? { stoppedContainer: true } : {}) };
  }
  const wasQueued = p.runs.mutate(found.id, (r) => (r.state === 'queued' ? { patch: { stopRequested: 'user' }, value: true } : { value: false }));
  if (wasQueued) {
    // Still in the queue: no checkout or container yet, so it ends here (the host only takes runs still queued).
    const run = transitionRun(p.runs, p.events, found.id, 'cancelled', { reason: 'stopped by user (while queued)', phase: 'done', finishedAt: Date.now() });
    return { run, alreadyEnded: false };
  }
  const run = findRun(p, found.id);
  // A persistent run between turns is ended by closing its input: the agent leaves as asked and its work comes back.
  if (closeIdleRun(p, run)) {
    if (!p.host.isLiveOwner(run)) await reconcile(p);
    if (opts.wait !== false) {
      const timeout = AbortSignal.timeout(60_000);
      await p.host.waitForEnd(run.id, opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout);
    }
    return { run: findRun(p, run.id), alreadyEnded: false };
  }
  const runtime = run.containerId ? await p.runtime() : undefined;

  const container = run.containerId ? await runtime?.inspectContainer(run.containerId) : undefined;
  // A container that already exited on its own ended the run, whatever we ask now: its outcome stands.
  if (!container || container.running || container.status === 'created') p.runs.update(run.id, { stopRequested: run.stopRequested ?? 'user' });
  if (container?.running && runtime && run.containerId) await runtime.stopContainer(run.containerId, Math.ceil(p.config.stopGrace / 1000));
  await reconcile(p); // nobody supervising it? then someone must record the end
  if (opts.wait !== false) {
    const timeout = AbortSignal.timeout(60_000);
    await p.host.waitForEnd(run.id, opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout);
  }
  return { run: findRun(p, run.id), alreadyEnded: false };
}
