/**
 * The web board's live feed: every run whose record may have changed (a state, a phase, a usage figure, a merge),
 * as the views every surface shows. Changes are read from the event log's stored events (each state change, result
 * and merge note is one), coalesced per run within a short window so a chatty agent costs one view per window.
 */
import type { Paddock } from './context.ts';
import { listRuns } from './queries.ts';
import { type RunView, runView } from './views.ts';

/** The runs a board opens with: every run Paddock knows, newest first, at most `limit`. */
export async function boardRuns(p: Paddock, limit = 1000): Promise<RunView[]> {
  return (await listRuns(p, { all: true })).slice(0, limit).map((r) => runView(p, r));
}

/**
 * Calls `onChange` with the run's view after an event of it is stored (at most once per run per `windowMs`);
 * returns the function that stops watching.
 */
export function watchRunChanges(p: Paddock, onChange: (run: RunView) => void, windowMs = 50): () => void {
  const dirty = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    const ids = [...dirty];
    dirty.clear();
    for (const id of ids) {
      const run = p.runs.get(id);
      if (run) onChange(runView(p, run));
    }
  };
  const off = p.events.onAny((e) => {
    dirty.add(e.runId);
    timer ??= setTimeout(flush, windowMs);
  });
  return () => {
    off();
    if (timer) clearTimeout(timer);
  };
}
