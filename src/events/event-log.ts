/**
 * Append-only per-run event log with increasing ids (seq) per run: the live tail and the SSE replay read it.
 * Agent output is ingested by line index, so re-reading a container's whole log after a restart stores nothing twice.
 */
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentEvent } from '../agents/types.ts';
import { type Db, transaction } from '../store/db.ts';

export type EventSource = 'agent' | 'stderr' | 'paddock' | 'gateway';

export interface StoredEvent {
  runId: string;
  seq: number;
  ts: number;
  source: EventSource;
  kind: string;
  data: Record<string, unknown>;
}

/** Paddock's own events (state changes, phases, notes), alongside the agent's. */
export type PaddockEvent =
  | { kind: 'state'; from: string; to: string; reason?: string | null }
  | { kind: 'phase'; phase: string }
  | { kind: 'note'; message: string }
  /** What finalize found in the run's tree (workspace FinalizeReport): removed special files, files left out, outside symlinks, flagged authors. */
  | { kind: 'finalize'; report: object };

export interface IngestLine {
  stream: 'stdout' | 'stderr';
  /** 0-based index of the line within its stream. */
  index: number;
  events: AgentEvent[];
  text: string;
  /** Past the run's output cap: the line only moves its stream's counter on; nothing of it is stored. */
  drop?: boolean;
  /** A stderr line that is a lifecycle hook's output or the entry script's word on it (app/hooks.ts): stored with it. */
  hook?: HookTag;
}

/** Which hook a line belongs to ("post_start#1"), and what it is: the hook's stdout or stderr, or Paddock's word on it. */
export interface HookTag {
  name: string;
  stream: 'stdout' | 'stderr' | 'paddock';
}

/** The newest events of a run that someone follows, read once for all its followers. */
interface Tail {
  runId: string;
  recent: StoredEvent[];
  /** The highest seq read into recent. */
  last: number;
  /** Something was written since the last read. */
  dirty: boolean;
  followers: number;
  onWrite: () => void;
}

const TAIL_SIZE = 1000;

export class EventLog {
  private readonly db: Db;
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly tails = new Map<string, Tail>();
  private readonly anyListeners = new Set<(e: StoredEvent) => void>();
  constructor(db: Db) {
    this.db = db;
  }

  /** Calls fn with every event of every run this process stores (webhooks, metrics); fn must not throw. */
  onAny(fn: (e: StoredEvent) => void): () => void {
    this.anyListeners.add(fn);
    return () => this.anyListeners.delete(fn);
  }

  /** Calls fn (soon after) whenever an event of the run is stored by this process. */
  onAppend(runId: string, fn: () => void): void {
    this.emitter.on(runId, fn);
  }

  offAppend(runId: string, fn: () => void): void {
    this.emitter.off(runId, fn);
  }

  append(runId: string, event: PaddockEvent): StoredEvent {
    return transaction(this.db, () => this.insert(runId, 'paddock', event.kind, event))!;
  }

  /** An event of one of Paddock's own parts other than the supervisor, e.g. the model gateway's refusals. */
  appendFrom(runId: string, source: Exclude<EventSource, 'agent' | 'stderr'>, event: { kind: string } & Record<string, unknown>): StoredEvent {
    return transaction(this.db, () => this.insert(runId, source, event.kind, event))!;
  }

  /**
   * Stores agent output lines not stored before (index ≥ the run's counter for that stream), in one transaction.
   * Returns the events stored, and the result event if one came.
   */
  ingest(runId: string, lines: readonly IngestLine[]): StoredEvent[] {
    if (lines.length === 0) return [];
    const stored: StoredEvent[] = [];
    transaction(this.db, () => {
      const counters = this.db.prepare('SELECT stdout_lines, stderr_lines FROM runs WHERE id = ?').get(runId) as { stdout_lines: number; stderr_lines: number } | undefined;
      if (!counters) return;
      let out = counters.stdout_lines;
      let err = counters.stderr_lines;
      for (const l of lines) {
        if (l.stream === 'stdout') {
          if (l.index < out) continue;
          out = l.index + 1;
          if (l.drop === true) continue;
          for (const e of l.events) stored.push(this.insert(runId, 'agent', e.kind, e as unknown as Record<string, unknown>, false));
        } else {
          if (l.index < err) continue;
          err = l.index + 1;
          if (l.drop === true) continue;
          stored.push(this.insert(runId, 'stderr', 'stderr', l.hook ? { text: l.text, hook: l.hook } : { text: l.text }, false));
        }
      }
      this.db.prepare('UPDATE runs SET stdout_lines = ?, stderr_lines = ?, last_output_at = ?, updated_at = ? WHERE id = ?').run(out, err, Date.now(), Date.now(), runId);
    });
    if (stored.length) this.emitter.emit(runId);
    return stored;
  }

  /** How much of the run's output is stored: its agent and stderr events, and the characters of their data. */
  storedOutput(runId: string): { lines: number; chars: number } {
    const r = this.db.prepare("SELECT COUNT(*) AS n, COALESCE(SUM(LENGTH(data)), 0) AS c FROM events WHERE run_id = ? AND source IN ('agent', 'stderr')").get(runId) as { n: number; c: number };
    return { lines: Number(r.n), chars: Number(r.c) };
  }

  /** Whether the run has a note starting with this text. */
  hasNote(runId: string, prefix: string): boolean {
    const r = this.db.prepare("SELECT 1 FROM events WHERE run_id = ? AND kind = 'note' AND substr(json_extract(data, '$.message'), 1, ?) = ? LIMIT 1").get(runId, prefix.length, prefix);
    return r !== undefined;
  }

  list(runId: string, afterSeq = 0, limit = 10_000): StoredEvent[] {
    return this.db.prepare('SELECT * FROM events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?').all(runId, afterSeq, limit).map(toStored);
  }

  /** The run's latest event of this kind (e.g. its result), however many events came before it. */
  lastOfKind(runId: string, kind: string): StoredEvent | undefined {
    const r = this.db.prepare('SELECT * FROM events WHERE run_id = ? AND kind = ? ORDER BY seq DESC LIMIT 1').get(runId, kind);
    return r ? toStored(r) : undefined;
  }

  lastSeq(runId: string): number {
    const r = this.db.prepare('SELECT MAX(seq) AS s FROM events WHERE run_id = ?').get(runId) as { s: number | null };
    return Number(r.s ?? 0);
  }

  /**
   * Yields every event after afterSeq, then new ones as they come, until isDone() is true and nothing is left.
   * Followers of one run share one reader: a write wakes them all, the first one reads the new events from the
   * database once, and the others take them from the run's tail. Writes by other processes are seen by polling.
   */
  async *follow(runId: string, opts: { afterSeq?: number; isDone: () => boolean; signal?: AbortSignal; pollMs?: number }): AsyncGenerator<StoredEvent> {
    let after = opts.afterSeq ?? 0;
    const pollMs = opts.pollMs ?? 1000;
    const tail = this.openTail(runId);
    try {
      while (!opts.signal?.aborted) {
        const done = opts.isDone(); // read before listing, so nothing written after the last list is missed
        const batch = this.readFrom(tail, after);
        for (const e of batch) {
          after = e.seq;
          yield e;
        }
        if (batch.length) continue;
        if (done) return;
        // A write marks the tail dirty once (its own listener), so of all followers woken only the first reads the
        // database. Waking by the poll (a write by another process would not be heard) looks again too.
        if ((await this.waitForAppend(runId, pollMs, opts.signal)) === 'poll') tail.dirty = true;
      }
    } finally {
      if (--tail.followers === 0) {
        this.emitter.off(runId, tail.onWrite);
        this.tails.delete(runId);
      }
    }
  }

  private openTail(runId: string): Tail {
    let tail = this.tails.get(runId);
    if (!tail) {
      const t: Tail = { runId, recent: [], last: this.lastSeq(runId), dirty: false, followers: 0, onWrite: () => void (t.dirty = true) };
      // Registered before any follower waits, so it hears a write before they wake.
      this.emitter.prependListener(runId, t.onWrite);
      this.tails.set(runId, t);
      tail = t;
    }
    tail.followers++;
    return tail;
  }

  /** Events after `after`: from the shared tail when it holds them, else from the database (history). */
  private readFrom(tail: Tail, after: number): StoredEvent[] {
    if (tail.dirty) {
      tail.dirty = false;
      const fresh = this.list(tail.runId, tail.last, TAIL_SIZE);
      if (fresh.length) {
        tail.recent.push(...fresh);
        if (tail.recent.length > TAIL_SIZE) tail.recent.splice(0, tail.recent.length - TAIL_SIZE);
        tail.last = fresh.at(-1)!.seq;
        if (fresh.length === TAIL_SIZE) tail.dirty = true; // more than a batch came: read again next time
      }
    }
    const first = tail.recent[0]?.seq ?? tail.last + 1;
    if (after >= first - 1 && after <= tail.last) return tail.recent.filter((e) => e.seq > after).slice(0, TAIL_SIZE);
    if (after >= tail.last && !tail.dirty) return [];
    return this.list(tail.runId, after, TAIL_SIZE);
  }

  private waitForAppend(runId: string, ms: number, signal?: AbortSignal): Promise<'write' | 'poll'> {
    return new Promise((resolve) => {
      const wake = (why: 'write' | 'poll') => {
        this.emitter.off(runId, onWrite);
        resolve(why);
      };
      const onWrite = () => wake('write');
      this.emitter.on(runId, onWrite);
      sleep(ms, undefined, signal ? { signal } : {}).then(
        () => wake('poll'),
        () => wake('poll'),
      );
    });
  }

  private insert(runId: string, source: EventSource, kind: string, data: object, notify = true): StoredEvent {
    const seq = this.lastSeq(runId) + 1;
    const ts = Date.now();
    this.db.prepare('INSERT INTO events (run_id, seq, ts, source, kind, data) VALUES (?, ?, ?, ?, ?, ?)').run(runId, seq, ts, source, kind, JSON.stringify(data));
    const stored = { runId, seq, ts, source, kind, data: data as Record<string, unknown> };
    if (notify) queueMicrotask(() => this.emitter.emit(runId));
    if (this.anyListeners.size)
      queueMicrotask(() => {
        for (const fn of this.anyListeners) fn(stored);
      });
    return stored;
  }
}

function toStored(r: Record<string, unknown>): StoredEvent {
  return {
    runId: String(r.run_id),
    seq: Number(r.seq),
    ts: Number(r.ts),
    source: r.source as EventSource,
    kind: String(r.kind),
    data: JSON.parse(String(r.data)) as Record<string, unknown>,
  };
}
