/**
 * Prints a run's events (readable, or one JSON object a line). Without follow: every event so far, page by page.
 * With follow: the daemon's SSE stream until the run ends; if the stream breaks (the daemon restarted), it
 * reconnects after the last event it printed, so nothing is missed or printed twice.
 */
import { isTerminal, type RunView, type StoredEvent } from '../app/light.ts';
import { call, events } from './client.ts';
import { out } from './context.ts';
import { renderEvent } from './format.ts';

export interface FollowOptions {
  json: boolean;
  follow: boolean;
  afterSeq?: number;
  signal?: AbortSignal;
  timestamps?: boolean;
  /** Stop following after this event (a persistent run's first turn ends: it waits for a message). */
  stopAfter?: (e: StoredEvent) => boolean;
}

/** Returns the run as it is after the last event printed (as it ended, when following to the end). */
export async function followRun(runId: string, opts: FollowOptions): Promise<RunView> {
  let after = opts.afterSeq ?? 0;
  const print = (e: StoredEvent) => {
    after = e.seq;
    if (opts.json) out(JSON.stringify(e));
    else {
      const line = renderEvent(e, { timestamps: opts.timestamps ?? false });
      if (line !== undefined) out(line);
    }
  };
  const path = `/api/v1/runs/${encodeURIComponent(runId)}`;
  if (!opts.follow) {
    for (;;) {
      const page = await call<{ events: StoredEvent[]; next: number }>('GET', `${path}/events?after=${after}&limit=5000`);
      for (const e of page.events) print(e);
      if (page.events.length < 5000) break;
    }
    return (await call<{ run: RunView }>('GET', path)).run;
  }
  let last: RunView | undefined;
  for (let attempt = 0; !opts.signal?.aborted; attempt++) {
    let sawAny = false;
    try {
      for await (const m of events(`${path}/events/stream?after=${after}`, opts.signal ? { signal: opts.signal } : {})) {
        sawAny = true;
        if (m.event === 'event') {
          const e = JSON.parse(m.data) as StoredEvent;
          print(e);
          if (opts.stopAfter?.(e)) return (await call<{ run: RunView }>('GET', path)).run;
        } else if (m.event === 'snapshot') last = JSON.parse(m.data) as RunView;
        else if (m.event === 'end') {
          const ended = JSON.parse(m.data) as RunView;
          if (!opts.json) out();
          return ended;
        }
      }
    } catch (e) {
      if (opts.signal?.aborted) break;
      if (attempt >= 20) throw e;
    }
    if (opts.signal?.aborted) break;
    if (last && isTerminal(last.state) && !sawAny) break;
    await new Promise((r) => setTimeout(r, Math.min(2000, 200 * (attempt + 1))));
  }
  return last ?? (await call<{ run: RunView }>('GET', path)).run;
}
