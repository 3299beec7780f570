import type { Db } from './db.ts';
import { fromRow, toRow } from './rows.ts';

export interface Session {
  id: string;
  createdAt: number;
  updatedAt: number;
  agent: string;
  repo: string;
  /** The engine volume holding this session's HOME. */
  volume: string;
  lastRunId: string | null;
}

export class SessionsRepo {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  get(id: string): Session | undefined {
    const row = this.db.prepare('SELECT * FROM sessions WHERE id = ?').get(id);
    return row ? fromRow<Session>(row, {}) : undefined;
  }

  upsert(s: Session): void {
    const row = toRow(s as unknown as Record<string, unknown>, {});
    const keys = Object.keys(row);
    this.db
      .prepare(
        `INSERT INTO sessions (${keys.join(', ')}) VALUES (${keys.map((k) => `:${k}`).join(', ')})
       ON CONFLICT(id) DO UPDATE SET updated_at = excluded.updated_at, last_run_id = excluded.last_run_id`,
      )
      .run(row as never);
  }

  list(): Session[] {
    return this.db
      .prepare('SELECT * FROM sessions ORDER BY updated_at DESC')
      .all()
      .map((r) => fromRow<Session>(r, {}));
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM sessions WHERE id = ?').run(id);
  }
}
