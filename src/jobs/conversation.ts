/**
 * The turns of a persistent run (keepAlive), on the supervisor's side: serves the run's input socket, gives the agent
 * one message per turn (a message that comes mid-turn waits for the turn's result), moves the run running ⇄ idle,
 * and ends it by closing its input when it has been idle too long or someone stopped it between turns.
 *
 * Everything it decides comes from the store (messages and their delivery state, result events, the closure), never
 * from memory, so a supervisor that adopts the run after a crash carries on exactly where the last one stopped. It
 * re-evaluates whenever the run gets an event in this process, and every few seconds for writes of other processes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDuration } from '../config/index.ts';
import type { EventLog } from '../events/index.ts';
import type { InputClosedBecause, MessagesRepo } from '../store/messages-repo.ts';
import type { RunsRepo } from '../store/runs-repo.ts';
import { type InputServer, startInputServer } from './input-server.ts';
import type { Run } from './run.ts';
import { transitionRun } from './run-state.ts';
import { isTerminal } from './states.ts';

/** In the run's relay directory (mounted at /run/paddock): the socket the input reader connects to. */
export const INPUT_SOCKET = 'input.sock';
/** Written before the socket closes for good: the reader then ends the agent's stdin instead of reconnecting. */
export const INPUT_CLOSED_MARKER = 'input.closed';
/** Where the agent's input reader connects, inside the container. */
export const IN_CONTAINER_INPUT_SOCKET = `/run/paddock/${INPUT_SOCKET}`;

/** How often the store is looked at again without an event (a message sent by another process, a closure). */
const POLL_MS = 2000;
/** After its input closed and its last turn ended, an agent that has not exited this long is stopped. */
const EXIT_AFTER_CLOSE_MS = 30_000;
const MAX_TIMER = 2 ** 31 - 1;

export interface ConversationDeps {
  runs: RunsRepo;
  events: EventLog;
  messages: MessagesRepo;
  /** The run's relay directory on the host (holds the socket and the marker). */
  relayDir: string;
  /** One message in the agent's input format (one line, no newline). */
  encode: (text: string) => string;
  /** Stops the container (SIGTERM, then SIGKILL): only for an agent that ignored its closed input. */
  stopContainer: () => Promise<void>;
  log?: (msg: string) => void;
}

/**
 * Closes a persistent run's input (idempotent): recorded in the store first, then the marker the reader looks for.
 * The supervisor hangs up when it sees the closure; the agent finishes its turn, gets end-of-input and exits.
 */
export function closeInput(d: Pick<ConversationDeps, 'messages' | 'events' | 'relayDir'>, run: Pick<Run, 'id' | 'idleTimeoutMs'>, reason: InputClosedBecause, onlyIf?: () => boolean): boolean {
  const first = d.messages.close(run.id, reason, onlyIf);
  if (!first && !d.messages.closure(run.id)) return false; // onlyIf said no
  writeClosedMarker(d.relayDir, d.messages.closure(run.id)?.reason ?? reason);
  if (first) {
    d.events.append(run.id, {
      kind: 'note',
      message: reason === 'idle' ? `idle for ${formatDuration(run.idleTimeoutMs ?? 0)}: closing the agent's input, it ends now` : "stopped between turns: closing the agent's input, it ends now",
    });
  }
  return first;
}

function writeClosedMarker(relayDir: string, reason: InputClosedBecause): void {
  mkdirSync(relayDir, { recursive: true });
  writeFileSync(join(relayDir, INPUT_CLOSED_MARKER), `${reason}\n`);
}

/** The note recorded when a message goes to the agent (its turn starts); turnOfNote reads it back. */
export const sentNote = (seq: number): string => `message ${seq} sent to the agent`;
export function turnOfNote(message: unknown): number | undefined {
  const m = typeof message === 'string' ? /^message (\d+) sent to the agent$/.exec(message) : null;
  return m ? Number(m[1]) : undefined;
}

export class Conversation {
  private readonly d: ConversationDeps;
  private readonly runId: string;
  private server: InputServer | undefined;
  private poll: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private scheduled = false;
  private stopped = false;
  private hungUp = false;
  private exitRequested = false;
  /** Result events counted so far, and the last one's seq (events are append-only, so counting goes on from there). */
  private readonly answers = { count: 0, seq: 0 };
  /** When the run last became idle (for its idle timeout). */
  private idleSince: number | undefined;

  constructor(runId: string, deps: ConversationDeps) {
    this.runId = runId;
    this.d = deps;
  }

  async start(): Promise<void> {
    this.server = await startInputServer({
      socketPath: join(this.d.relayDir, INPUT_SOCKET),
      onHello: (last) => {
        this.d.messages.reconcileWithReader(this.runId, last);
        this.schedule();
      },
      onAck: (seq) => {
        this.d.messages.markDelivered(this.runId, seq);
      },
      onDisconnect: () => this.schedule(),
    });
    this.d.events.onAppend(this.runId, this.schedule);
    this.poll = setInterval(this.schedule, POLL_MS);
    this.schedule();
  }

  /** Stops serving (the run ended, or the host lets go of it: then the reader waits for the next supervisor). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.poll);
    clearTimeout(this.idleTimer);
    this.d.events.offAppend(this.runId, this.schedule);
    await this.server?.close();
  }

  private readonly schedule = (): void => {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    // Later, not inside the write that woke us (event ingestion calls listeners synchronously).
    setImmediate(() => {
      this.scheduled = false;
      if (this.stopped) return;
      try {
        this.evaluate();
      } catch (e) {
        this.d.log?.(`run ${this.runId}: conversation: ${(e as Error).message}`);
      }
    });
  };

  private evaluate(): void {
    let run = this.d.runs.get(this.runId);
    if (!run || isTerminal(run.state)) return;
    // Before the container runs there is no reader; a message waits.
    if (run.state !== 'running' && run.state !== 'stalled' && run.state !== 'idle') return;
    const closure = this.d.messages.closure(this.runId);
    const counts = this.d.messages.counts(this.runId, this.answers);
    const busy = counts.given > counts.answered;
    if (closure) {
      this.whenClosed(run, busy, closure.reason);
      return;
    }
    if (!busy && counts.pending === 0 && run.state !== 'idle') {
      run = this.move(run, 'idle');
      this.idleSince = Date.now();
    }
    if (!busy && counts.pending > 0 && this.server?.ready) {
      this.deliverNext(run);
      return;
    }
    if (run.state === 'idle' && !busy && counts.pending === 0) this.armIdleTimeout(run);
    else clearTimeout(this.idleTimer);
  }

  /** Gives the agent its next message; the run is running from now until its result. */
  private deliverNext(run: Run): void {
    const m = this.d.messages.nextPending(this.runId);
    if (!m) return;
    clearTimeout(this.idleTimer);
    const line = this.d.encode(m.text);
    if (line.includes('\n')) throw new Error('an encoded message must be one line');
    this.d.messages.markSent(this.runId, m.seq);
    if (run.state === 'idle') this.move(run, 'running');
    this.d.events.append(this.runId, { kind: 'note', message: sentNote(m.seq) });
    // Not taken (the reader left just now): it stays sent until the reader's next hello, which puts it back.
    this.server?.send(m.seq, line);
  }

  private armIdleTimeout(run: Run): void {
    const timeout = run.idleTimeoutMs ?? 0;
    if (timeout <= 0) return; // never ends for being idle
    this.idleSince ??= this.idleSinceFromLog();
    const left = this.idleSince + timeout - Date.now();
    if (left <= 0) {
      closeInput(this.d, run, 'idle');
      this.schedule();
      return;
    }
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(this.schedule, Math.min(left, MAX_TIMER));
  }

  /** An adopted run that was idle already: idle since its last state change (to idle). */
  private idleSinceFromLog(): number {
    const last = this.d.events.lastOfKind(this.runId, 'state');
    return last && last.data.to === 'idle' ? last.ts : Date.now();
  }

  /** The input is closed: hang up for good; an agent that does not leave after its last turn is stopped. */
  private whenClosed(run: Run, busy: boolean, reason: InputClosedBecause): void {
    clearTimeout(this.idleTimer);
    if (!this.hungUp) {
      this.hungUp = true;
      writeClosedMarker(this.d.relayDir, reason); // again: the closure may come from another process
      void this.server?.close();
    }
    if (busy || this.exitRequested) return;
    const closedAt = this.d.messages.closure(this.runId)?.closedAt ?? Date.now();
    const quietSince = Math.max(closedAt, run.lastOutputAt ?? 0);
    if (Date.now() - quietSince < EXIT_AFTER_CLOSE_MS) return;
    this.exitRequested = true;
    this.d.events.append(this.runId, { kind: 'note', message: `the agent did not exit ${formatDuration(EXIT_AFTER_CLOSE_MS)} after its input closed: stopping the container` });
    if (reason === 'user') this.d.runs.update(this.runId, { stopRequested: run.stopRequested ?? 'user' });
    this.d.stopContainer().catch((e: unknown) => this.d.log?.(`run ${this.runId}: stop failed: ${String(e)}`));
  }

  private move(run: Run, to: 'idle' | 'running'): Run {
    try {
      return transitionRun(this.d.runs, this.d.events, run.id, to, { phase: to === 'idle' ? 'waiting-for-message' : 'agent-running' });
    } catch {
      // The run moved on meanwhile (it ended, say): the next evaluation sees it as it is.
      return this.d.runs.get(run.id) ?? run;
    }
  }
}
