/**
 * The turns of persistent runs (migration 6): every message with its delivery state, and whether Paddock closed the
 * run's input. The daemon that delivers them may die at any point, so each step is one write: pending → sent (written
 * to the input socket) → delivered (the reader in the container acknowledged it, or said so in its hello on reconnect).
 */
import { type Db, transaction } from './db.ts';
import { fromRow } from './rows.ts';

export type MessageState = 'pending' | 'sent' | 'delivered';

export interface Message {
  runId: string;
  /** 1, 2, … per run: the order the agent gets them in (1 is the first prompt when the run was spawned with one). */
  seq: number;
  createdAt: number;
  text: string;
  state: MessageState;
  sentAt: number | null;
  deliveredAt: number | null;
}

/** Why Paddock closed a persistent run's input: it sat idle too long, or someone stopped it between turns. */
export type InputClosedBecause = 'idle' | 'user';

export interface InputClosure {
  runId: string;
  reason: InputClosedBecause;
  closedAt: number;
}

/** Where a persistent run's turns stand: messages the agent has (or may have) and answers it gave. */
export interface TurnCounts {
  /** Sent or delivered: the agent has them, or may have them (sent, not acknowledged yet). */
  given: number;
  pending: number;
  /** Result events the agent wrote: one ends each turn. */
  answered: number;
}

export class MessagesRepo {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  /** Queues a message (pending); check() runs in the same write transaction, so a run cannot end in between. */
  add(runId: string, text: string, check: () => void = () => {}): Message {
    return transaction(this.db, () => {
      check();
      const r = this.db.prepare('SELECT COALESCE(MAX(seq), 0) AS s FROM messages WHERE run_id = ?').get(runId) as { s: number };
      const seq = Number(r.s) + 1;
      const now = Date.now();
      this.db.prepare("INSERT INTO messages (run_id, seq, created_at, text, state) VALUES (?, ?, ?, ?, 'pending')").run(runId, seq, now, text);
      return { runId, seq, createdAt: now, text, state: 'pending' as const, sentAt: null, deliveredAt: null };
    });
  }

  list(runId: string): Message[] {
    return this.db
      .prepare('SELECT * FROM messages WHERE run_id = ? ORDER BY seq')
      .all(runId)
      .map((r) => fromRow<Message>(r, {}));
  }

  /** The oldest message not sent yet. */
  nextPending(runId: string): Message | undefined {
    const r = this.db.prepare("SELECT * FROM messages WHERE run_id = ? AND state = 'pending' ORDER BY seq LIMIT 1").get(runId);
    return r ? fromRow<Message>(r, {}) : undefined;
  }

  markSent(runId: string, seq: number): void {
    this.db.prepare("UPDATE messages SET state = 'sent', sent_at = ? WHERE run_id = ? AND seq = ? AND state = 'pending'").run(Date.now(), runId, seq);
  }

  /** The reader acknowledged seq. Only a message Paddock sent counts: an ack for anything else is ignored. */
  markDelivered(runId: string, seq: number): boolean {
    const r = this.db.prepare("UPDATE messages SET state = 'delivered', delivered_at = ? WHERE run_id = ? AND seq = ? AND state = 'sent'").run(Date.now(), runId, seq);
    return Number(r.changes) > 0;
  }

  /**
   * The reader (re)connected and says the last seq it passed on: what was sent up to there arrived; what was sent after
   * it did not (the connection broke first), so it goes back to pending and is sent again.
   */
  reconcileWithReader(runId: string, lastPassedOn: number): void {
    transaction(this.db, () => {
      this.db.prepare("UPDATE messages SET state = 'delivered', delivered_at = ? WHERE run_id = ? AND state = 'sent' AND seq <= ?").run(Date.now(), runId, lastPassedOn);
      this.db.prepare("UPDATE messages SET state = 'pending', sent_at = NULL WHERE run_id = ? AND state = 'sent' AND seq > ?").run(runId, lastPassedOn);
    });
  }

  /**
   * answered counts result events; with `answers` (a cursor the caller keeps) only those after its last look, so a
   * supervisor that looks at every flush of a long run's output does not rescan all its events each time.
   */
  counts(runId: string, answers?: { count: number; seq: number }): TurnCounts {
    const m = this.db.prepare("SELECT SUM(state IN ('sent', 'delivered')) AS given, SUM(state = 'pending') AS pending FROM messages WHERE run_id = ?").get(runId) as {
      given: number | null;
      pending: number | null;
    };
    const a = this.db.prepare("SELECT COUNT(*) AS n, MAX(seq) AS last FROM events WHERE run_id = ? AND seq > ? AND source = 'agent' AND kind = 'result'").get(runId, answers?.seq ?? 0) as {
      n: number;
      last: number | null;
    };
    if (answers) {
      answers.count += Number(a.n);
      if (a.last !== null) answers.seq = Number(a.last);
    }
    return { given: Number(m.given ?? 0), pending: Number(m.pending ?? 0), answered: answers ? answers.count : Number(a.n) };
  }

  /** When the latest message was sent (a turn began then). */
  lastSentAt(runId: string): number | null {
    const r = this.db.prepare('SELECT MAX(sent_at) AS t FROM messages WHERE run_id = ?').get(runId) as { t: number | null };
    return r.t === null ? null : Number(r.t);
  }

  /**
   * Records that the run's input is closed; the first reason stands. Returns whether this call closed it. onlyIf runs
   * in the same write transaction (a message cannot slip in between the check and the closure).
   */
  close(runId: string, reason: InputClosedBecause, onlyIf: () => boolean = () => true): boolean {
    return transaction(this.db, () => {
      if (!onlyIf()) return false;
      const r = this.db.prepare('INSERT OR IGNORE INTO input_closures (run_id, reason, closed_at) VALUES (?, ?, ?)').run(runId, reason, Date.now());
      return Number(r.changes) > 0;
    });
  }

  closure(runId: string): InputClosure | undefined {
    const r = this.db.prepare('SELECT * FROM input_closures WHERE run_id = ?').get(runId);
    return r ? fromRow<InputClosure>(r, {}) : undefined;
  }
}
