import { isTerminal, type Run, transitionRun } from '../jobs/index.ts';
import type { Paddock } from './context.ts';
import { findRun } from './find-run.ts';
import { reconcile } from './reconcile.ts';
import { closeIdleRun } from './messages.ts';

export interface StopResult {
  run: Run;
  alreadyEnded: boolean;
}

/**
 * Stops a run: a queued one is cancelled at once; a live one gets SIGTERM, then SIGKILL after the grace period (3 s
 * by default), so the container ends within 5 s, and its supervisor commits the work so far and brings it back.
 * With wait (the default), returns once the run has ended (at most a minute), else once the stop is requested.
 */
export async function stopRun(p: Paddock, idOrPrefix: string, opts: { wait?: boolean; signal?: AbortSignal } = {}): Promise<StopResult> {
  const found = findRun(p, idOrPrefix);
  if (isTerminal(found.state)) return { run: found, alreadyEnded: true };
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
