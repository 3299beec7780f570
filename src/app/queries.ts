import { type FinalizeReport, finalizeReportOf } from './finalize-report.ts';
import { resolve } from 'node:path';
import { isTerminal, type Run, type RunState } from '../jobs/index.ts';
import { inspectRepo } from '../workspace/index.ts';
import type { SessionUsage } from '../store/runs-repo.ts';
import type { ContainerState } from '../runtime/index.ts';
import type { StoredEvent } from '../events/index.ts';
import type { Paddock } from './context.ts';
import { findRun } from './find-run.ts';

const DAY = 24 * 3600 * 1000;

export interface ListRunsFilter {
  /** Every run Paddock knows, not only live ones and those that ended in the last day. */
  all?: boolean;
  /** Only runs in one of these states. */
  states?: readonly RunState[];
  /** Only runs on this repository (its top-level directory, as spawn recorded it). */
  repo?: string;
  /** Only runs created at most this many milliseconds ago (replaces the one-day window). */
  sinceMs?: number;
  /** Only runs spawned by this run (a coordinator's children). */
  parentRunId?: string;
}

/** Runs to show, newest first: active ones and those that ended in the last day; with all, every run Paddock knows. */
export async function listRuns(p: Paddock, opts: ListRunsFilter = {}): Promise<Run[]> {
  const now = Date.now();
  // The repo as spawn recorded it: its top-level directory (a path inside it, or a symlink to it, finds it too).
  const repo =
    opts.repo === undefined
      ? undefined
      : await inspectRepo(opts.repo).then(
          (r) => r.root,
          () => resolve(opts.repo!),
        );
  let runs = p.runs.list(opts.states?.length ? { states: opts.states } : {});
  if (opts.sinceMs !== undefined) runs = runs.filter((r) => r.createdAt >= now - opts.sinceMs!);
  else if (!opts.all) runs = runs.filter((r) => !isTerminal(r.state) || (r.finishedAt ?? r.updatedAt) > now - DAY);
  if (repo !== undefined) runs = runs.filter((r) => r.repo === repo);
  if (opts.parentRunId !== undefined) runs = runs.filter((r) => r.parentRunId === opts.parentRunId);
  return runs;
}

export interface RunStatus {
  run: Run;
  container: ContainerState | undefined;
  supervised: boolean;
  lastEvent: StoredEvent | undefined;
  /** What the whole conversation (every run of this run's session) used. */
  session: SessionUsage;
  /** What finalize found in the run's tree (special files removed, files left out, outside symlinks, flagged authors); null before it. */
  finalize: FinalizeReport | null;
}

export async function runStatus(p: Paddock, idOrPrefix: string): Promise<RunStatus> {
  const run = findRun(p, idOrPrefix);
  let container: ContainerState | undefined;
  if (run.containerId) {
    try {
      container = await (await p.runtime()).inspectContainer(run.containerId);
    } catch {
      container = undefined; // status still answers when the engine is down
    }
  }
  const lastSeq = p.events.lastSeq(run.id);
  return {
    run,
    container,
    supervised: p.host.isLiveOwner(run),
    lastEvent: p.events.list(run.id, lastSeq - 1, 1)[0],
    session: p.runs.sessionUsage(run.sessionId),
    finalize: finalizeReportOf(p, run.id),
  };
}

/** Every event of the run after afterSeq (all by default); with follow, then new ones live until the run ends. */
export function runEvents(p: Paddock, idOrPrefix: string, opts: { follow: boolean; afterSeq?: number; signal?: AbortSignal }): AsyncGenerator<StoredEvent> {
  const run = findRun(p, idOrPrefix);
  return p.events.follow(run.id, {
    afterSeq: opts.afterSeq ?? 0,
    isDone: () => !opts.follow || isTerminal(p.runs.get(run.id)?.state ?? 'crashed'),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}
