import { isTerminal, type Run } from '../jobs/index.ts';
import { runEvents } from '../app/index.ts';
import { paddock, out } from './context.ts';
import { renderEvent } from './format.ts';

/** Prints a run's events (readable, or one JSON object a line) until it ends; returns the run as it ended. */
export async function followRun(runId: string, opts: { json: boolean; follow: boolean; afterSeq?: number; signal?: AbortSignal; timestamps?: boolean }): Promise<Run> {
  const p = paddock();
  for await (const e of runEvents(p, runId, { follow: opts.follow, afterSeq: opts.afterSeq ?? 0, ...(opts.signal ? { signal: opts.signal } : {}) })) {
    if (opts.json) out(JSON.stringify(e));
    else {
      const line = renderEvent(e, { timestamps: opts.timestamps ?? false });
      if (line !== undefined) out(line);
    }
  }
  const run = p.runs.get(runId)!;
  if (!opts.json && isTerminal(run.state) && opts.follow) out();
  return run;
}
