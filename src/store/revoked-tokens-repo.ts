/** Revoked JWT ids and token families (migration 4): kept in SQLite so a logout survives a daemon restart. */
import type { Db } from './db.ts';

export class RevokedTokensRepo {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  /** Revokes ids until expiresAt (after which the tokens are dead anyway), and forgets entries past their time. */
  revoke(ids: readonly string[], expiresAt: number, now: number): void {
    const put = this.db.prepare('INSERT INTO revoked_tokens (id, expires_at, revoked_at) VALUES (?, ?, ?) ON CONFLICT(id) DO UPDATE SET expires_at = MAX(expires_at, excluded.expires_at)');
    for (const id of ids) put.run(id, expiresAt, now);
    this.db.prepare('DELETE FROM revoked_tokens WHERE expires_at < ?').run(now);
  }

  /** Whether any of these ids is revoked. */
  anyRevoked(ids: readonly string[]): boolean {
    const present = ids.filter((id) => id.length > 0);
    if (present.length === 0) return false;
    const r = this.db.prepare(`SELECT 1 FROM revoked_tokens WHERE id IN (${present.map(() => '?').join(', ')}) LIMIT 1`).get(...present);
    return r !== undefined;
  }
}
