/**
 * A run's network (migration 7): the policy settled at spawn, and the log of every connection attempt its egress
 * proxy saw. The log is bounded per run: past the cap only the counters move (and `dropped` says how many rows
 * were not kept), so a run that hammers the proxy cannot grow the database.
 */
import type { EgressAttempt } from '../egress/proxy.ts';
import { type Db, transaction } from './db.ts';
import { fromRow } from './rows.ts';

export interface RunNetworkPolicy {
  runId: string;
  mode: 'none' | 'proxy' | 'open';
  /** The allow rules in force for the run, as written (defaults and the run's own additions). */
  allow: string[];
}

export interface NetworkCounters {
  attempts: number;
  allowed: number;
  denied: number;
  bytesUp: number;
  bytesDown: number;
  /** Attempts past the per-run cap: counted above, not kept as rows. */
  dropped: number;
}

/** An attempt as stored: the proxy's record and its place in the run's log. */
export interface NetworkAttemptRow extends EgressAttempt {
  seq: number;
}

export type NewNetworkAttempt = Omit<NetworkAttemptRow, 'seq'>;

export class NetworkRepo {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  setPolicy(p: RunNetworkPolicy): void {
    this.db
      .prepare('INSERT INTO run_networks (run_id, mode, allow) VALUES (?, ?, ?) ON CONFLICT(run_id) DO UPDATE SET mode = excluded.mode, allow = excluded.allow')
      .run(p.runId, p.mode, JSON.stringify(p.allow));
  }

  /** The run's policy; undefined for a run made before egress existed (it had no network: treat it as none). */
  policy(runId: string): RunNetworkPolicy | undefined {
    const row = this.db.prepare('SELECT run_id, mode, allow FROM run_networks WHERE run_id = ?').get(runId);
    return row ? fromRow<RunNetworkPolicy>(row, { json: ['allow'] }) : undefined;
  }

  counters(runId: string): NetworkCounters | undefined {
    const row = this.db.prepare('SELECT attempts, allowed, denied, bytes_up, bytes_down, dropped FROM run_networks WHERE run_id = ?').get(runId);
    return row ? fromRow<NetworkCounters>(row, {}) : undefined;
  }

  /** Records one attempt: always in the counters, as a row while the run has fewer than cap rows. */
  record(runId: string, a: NewNetworkAttempt, cap: number): void {
    transaction(this.db, () => {
      const r = this.db
        .prepare(
          `UPDATE run_networks SET attempts = attempts + 1, allowed = allowed + ?, denied = denied + ?, bytes_up = bytes_up + ?, bytes_down = bytes_down + ?
           WHERE run_id = ? RETURNING attempts - dropped - 1 AS kept`,
        )
        .get(a.allowed ? 1 : 0, a.allowed ? 0 : 1, a.bytesUp, a.bytesDown, runId) as { kept: number } | undefined;
      if (!r) return; // the run is gone (removed while its proxy closed)
      if (Number(r.kept) >= cap) {
        this.db.prepare('UPDATE run_networks SET dropped = dropped + 1 WHERE run_id = ?').run(runId);
        return;
      }
      this.db
        .prepare(
          `INSERT INTO network_attempts (run_id, seq, ts, host, port, method, address, allowed, rule, reason, bytes_up, bytes_down, duration_ms)
           VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM network_attempts WHERE run_id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(runId, runId, a.ts, a.host, a.port, a.method, a.address, a.allowed ? 1 : 0, a.rule, a.reason, a.bytesUp, a.bytesDown, a.durationMs);
    });
  }

  /** The kept attempts, oldest first (after: only those with a greater seq). */
  attempts(runId: string, opts: { after?: number; limit?: number } = {}): NetworkAttemptRow[] {
    return this.db
      .prepare('SELECT seq, ts, host, port, method, address, allowed, rule, reason, bytes_up, bytes_down, duration_ms FROM network_attempts WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?')
      .all(runId, opts.after ?? 0, opts.limit ?? -1)
      .map((r) => fromRow<NetworkAttemptRow>(r, { bool: ['allowed'] }));
  }
}
