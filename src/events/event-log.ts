/**
 * Append-only per-run event log with increasing ids (seq) per run: the live tail and the SSE replay read it.
 * Agent output is ingested by line index, so re-reading a container's whole log after a restart stores nothing twice.
 */
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentEvent } from '../agents/types.ts';
import { type Db, transaction } from '../store/db.ts';

export type EventSource = 'agent' | 'stderr' | 'paddock';

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
  | { kind: 'note'; message: string };

export interface IngestLine {
  stream: 'stdout' | 'stderr';
  /** 0-based index of the line within its stream. */
  index: number;
  events: AgentEvent[];
  text: string;
}

export class EventLog {
  private readonly db: Db;
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  constructor(db: Db) {
    this.db = db;
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

  /**
   * Stores agent output lines not stored before (index ≥ the run's counter for that stream), in one transaction.
   * Returns the events stored, and the result event if one came.
   */
  ingest(runId: string, lines: readonly IngestLine[]): StoredEvent[] {
    if (lines.length === 0) return [];
    const stored: StoredEvent[] = [];
    transaction(this.db, () => {
      const counters = this.db.prepare('SELECT stdout_lines, stderr_lines FROM runs WHERE id = ?').get(runId) as
        | { stdout_lines: number; stderr_lines: number }
        | undefined;
      if (!counters) return;
      let out = counters.stdout_lines;
      let err = counters.stderr_lines;
      for (const l of lines) {
        if (l.stream === 'stdout') {
          if (l.index < out) continue;
          out = l.index + 1;
          for (const e of l.events) stored.push(this.insert(runId, 'agent', e.kind, e as unknown as Record<string, unknown>, false));
        } else {
          if (l.index < err) continue;
          err = l.index + 1;
          stored.push(this.insert(runId, 'stderr', 'stderr', { text: l.text }, false));
        }
      }
      this.db.prepare('UPDATE runs SET stdout_lines = ?, stderr_lines = ?, last_output_at = ?, updated_at = ? WHERE id = ?')
        .run(out, err, Date.now(), Date.now(), runId);
    });
    if (stored.length) this.emitter.emit(runId);
    return stored;
  }

  list(runId: string, afterSeq = 0, limit = 10_000): StoredEvent[] {
    return this.db.prepare('SELECT * FROM events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(runId, afterSeq, limit)
      .map(toStored);
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
   * Same-process writers wake it at once; other processes' writes are seen by polling.
   */
  async *follow(runId: string, opts: { afterSeq?: number; isDone: () => boolean; signal?: AbortSignal; pollMs?: number }): AsyncGenerator<StoredEvent> {
    let after = opts.afterSeq ?? 0;
    const pollMs = opts.pollMs ?? 150;
    while (!opts.signal?.aborted) {
      const done = opts.isDone(); // read before listing, so nothing written after the last list is missed
      const batch = this.list(runId, after);
      for (const e of batch) {
        after = e.seq;
        yield e;
      }
      if (batch.length) continue;
      if (done) return;
      await this.waitForAppend(runId, pollMs, opts.signal);
    }
  }

  private waitForAppend(runId: string, ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.emitter.off(runId, wake);
        resolve();
      };
      this.emitter.on(runId, wake);
      sleep(ms, undefined, signal ? { signal } : {}).then(wake, wake);
    });
  }

  private insert(runId: string, source: EventSource, kind: string, data: object, notify = true): StoredEvent {
    const seq = this.lastSeq(runId) + 1;
    const ts = Date.now();
    this.db.prepare('INSERT INTO events (run_id, seq, ts, source, kind, data) VALUES (?, ?, ?, ?, ?, ?)')
      .run(runId, seq, ts, source, kind, JSON.stringify(data));
    if (notify) queueMicrotask(() => this.emitter.emit(runId));
    return { runId, seq, ts, source, kind, data: data as Record<string, unknown> };
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
