import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { MIGRATIONS } from './migrations.ts';

export type Db = DatabaseSync;

/**
 * Opens (creating if needed) the SQLite file and brings its schema up to date. Several processes share it (WAL).
 * The file holds live run tokens: it and its -wal and -shm files are 0600 (created so, and made so if they were not).
 */
export function openDb(path: string): Db {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (path !== ':memory:') closeSync(openSync(path, 'a', 0o600));
  const db = new DatabaseSync(path, { timeout: 10_000 });
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
  if (path !== ':memory:') for (const f of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const current = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
  if (current > MIGRATIONS.length) {
    throw new Error(`the database is at schema version ${current}, newer than this Paddock knows (${MIGRATIONS.length}); upgrade Paddock`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    transaction(db, () => {
      // Re-check inside the write lock: another process may have migrated meanwhile.
      const now = Number((db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version);
      if (now > v) return;
      db.exec(MIGRATIONS[v] ?? '');
      db.exec(`PRAGMA user_version = ${v + 1}`);
    });
  }
}

/** Runs fn in an IMMEDIATE transaction (takes the write lock up front, so read-modify-write is safe across processes). */
export function transaction<T>(db: Db, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = fn();
    db.exec('COMMIT');
    return result;
  } catch (e) {
    db.exec('ROLLBACK');
    throw e;
  }
}
