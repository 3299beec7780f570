/**
 * A persistent run as it happens, turn by turn, with the agent's stdout lines verbatim (as its container logged
 * them, not re-parsed): what a Stromboli `/agents/{id}/stream` client reads. No replay: it starts at the moment of
 * subscription, and ends when the run has ended (or the signal aborts).
 */
import { isTerminal, type Run, turnOfNote } from '../jobs/index.ts';
import type { Paddock } from './context.ts';
import { findRun } from './find-run.ts';
import { outputRedactor } from './secrets.ts';

export type ConversationEvent =
  /** A message went to the agent: its turn begins (seq: the message's). */
  | { type: 'turn_start'; seq: number }
  /** One stdout line of the agent (stream-json), verbatim. */
  | { type: 'output'; line: string }
  /** One stderr line of the agent. */
  | { type: 'error'; line: string }
  /** The agent wrote its result line: the turn has ended. */
  | { type: 'turn_end'; seq: number | null }
  /** The run has ended. */
  | { type: 'exited'; run: Run };

const isResultLine = (line: string): boolean => {
  if (!line.includes('"result"')) return false;
  try {
    return (JSON.parse(line) as { type?: unknown }).type === 'result';
  } catch {
    return false;
  }
};

export async function* conversationEvents(p: Paddock, runId: string, signal: AbortSignal): AsyncGenerator<ConversationEvent> {
  const run = findRun(p, runId);
  const queue: ConversationEvent[] = [];
  let wake: (() => void) | undefined;
  const push = (e: ConversationEvent) => {
    queue.push(e);
    wake?.();
  };
  const stop = new AbortController();
  const done = AbortSignal.any([signal, stop.signal]);
  let current =
    p.messages
      .list(run.id)
      .filter((m) => m.state !== 'pending')
      .at(-1)?.seq ?? null;

  // Turns, from the run's own events (recorded as each message goes out), after this moment.
  const turns = (async () => {
    for await (const e of p.events.follow(run.id, { afterSeq: p.events.lastSeq(run.id), isDone: () => isTerminal(p.runs.get(run.id)?.state ?? 'crashed'), signal: done })) {
      const seq = e.kind === 'note' ? turnOfNote(e.data.message) : undefined;
      if (seq !== undefined) {
        current = seq;
        push({ type: 'turn_start', seq });
      }
    }
  })();

  // The agent's lines, from its container's log, from the first line not logged yet at this moment.
  const lines = (async () => {
    let r = p.runs.get(run.id) ?? run;
    // Until the container runs: following the log of one that is only created ends at once (Podman), losing the turn.
    const notStarted = (x: typeof r) => !x.containerId || x.state === 'queued' || x.state === 'pending' || x.state === 'starting';
    while (notStarted(r) && !isTerminal(r.state) && !done.aborted) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      r = p.runs.get(run.id) ?? r;
    }
    if (!r.containerId || done.aborted) return;
    const from = { stdout: r.containerId === run.containerId ? run.stdoutLines : 0, stderr: r.containerId === run.containerId ? run.stderrLines : 0 };
    const seen = { stdout: 0, stderr: 0 };
    const runtime = await p.runtime();
    // The raw log holds what the agent printed: its secret values are redacted here as in the event log.
    const redact = outputRedactor(p, r);
    for await (const raw of runtime.logs(r.containerId, { follow: true, signal: done })) {
      if (seen[raw.stream]++ < from[raw.stream]) continue;
      if (redact === 'withhold') break;
      const l = { ...raw, line: redact(raw.line) };
      if (l.stream === 'stderr') {
        push({ type: 'error', line: l.line });
        continue;
      }
      push({ type: 'output', line: l.line });
      if (isResultLine(l.line)) push({ type: 'turn_end', seq: current });
    }
  })();

  let running = 2;
  const settle = () => {
    running--;
    wake?.();
  };
  turns.then(settle, settle);
  lines.then(settle, settle);
  const onAbort = () => wake?.();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      while (queue.length) yield queue.shift()!;
      if (running === 0 || signal.aborted) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
    const final = p.runs.get(run.id);
    if (!signal.aborted && final && isTerminal(final.state)) yield { type: 'exited', run: final };
  } finally {
    signal.removeEventListener('abort', onAbort);
    stop.abort();
  }
}
