/** Webhook deliveries owed for ended runs: one row per run, kept until delivered or given up (migration 4). */
import { TERMINAL_STATES } from '../jobs/index.ts';
import type { Db } from './db.ts';
import { fromRow } from './rows.ts';

export type DeliveryState = 'pending' | 'delivered' | 'failed';

export interface WebhookDelivery {
  runId: string;
  url: string;
  /** The exact bytes sent (and signed) on every attempt. */
  body: string;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: number;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
  deliveredAt: number | null;
}

const TERMINAL = [...TERMINAL_STATES];

export class WebhookDeliveriesRepo {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  /** Records the delivery for a run once; a second call for the same run changes nothing. Returns whether it was new. */
  add(runId: string, url: string, body: string, now: number): boolean {
    const r = this.db
      .prepare(
        `INSERT OR IGNORE INTO webhook_deliveries (run_id, url, body, state, attempts, next_attempt_at, created_at, updated_at)
       VALUES (?, ?, ?, 'pending', 0, ?, ?, ?)`,
      )
      .run(runId, url, body, now, now, now);
    return Number(r.changes) > 0;
  }

  get(runId: string): WebhookDelivery | undefined {
    const row = this.db.prepare('SELECT * FROM webhook_deliveries WHERE run_id = ?').get(runId);
    return row ? fromRow<WebhookDelivery>(row, {}) : undefined;
  }

  /** Pending deliveries whose time has come, oldest first. */
  due(now: number, limit: number): WebhookDelivery[] {
    return this.db
      .prepare("SELECT * FROM webhook_deliveries WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, run_id LIMIT ?")
      .all(now, limit)
      .map((r) => fromRow<WebhookDelivery>(r, {}));
  }

  /** When the next pending delivery is due (undefined: none pending). */
  nextDueAt(): number | undefined {
    const r = this.db.prepare("SELECT MIN(next_attempt_at) AS t FROM webhook_deliveries WHERE state = 'pending'").get() as { t: number | null };
    return r.t === null ? undefined : Number(r.t);
  }

  /** Ended runs that asked for a webhook and have no delivery yet (their end was stored while no dispatcher listened). */
  owed(limit: number): string[] {
    return this.db
      .prepare(
        `SELECT r.id FROM runs r LEFT JOIN webhook_deliveries d ON d.run_id = r.id
       WHERE r.webhook_url IS NOT NULL AND d.run_id IS NULL AND r.state IN (${TERMINAL.map(() => '?').join(', ')}) LIMIT ?`,
      )
      .all(...TERMINAL, limit)
      .map((r) => String((r as { id: string }).id));
  }

  delivered(runId: string, status: number, now: number): void {
    this.db
      .prepare("UPDATE webhook_deliveries SET state = 'delivered', attempts = attempts + 1, last_status = ?, last_error = NULL, delivered_at = ?, updated_at = ? WHERE run_id = ?")
      .run(status, now, now, runId);
  }

  /** A failed attempt: tried again at nextAttemptAt, or given up (state failed) when that is null. */
  attemptFailed(runId: string, status: number | null, error: string, nextAttemptAt: number | null, now: number): void {
    this.db
      .prepare(
        `UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = ?, last_error = ?, updated_at = ?,
       state = CASE WHEN ? IS NULL THEN 'failed' ELSE state END, next_attempt_at = COALESCE(?, next_attempt_at) WHERE run_id = ?`,
      )
      .run(status, error.slice(0, 500), now, nextAttemptAt, nextAttemptAt, runId);
  }
}
