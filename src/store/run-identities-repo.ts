/**
 * The identity each run's agent gets: a UID (= GID) from a reserved range that no host account uses, different from
 * every other live run's and from the run before it (allocation moves on round the range), kept on the run so a
 * restarted daemon hands the same run the same identity.
 */
import { randomInt } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { transaction, type Db } from './db.ts';

/** The reserved range: 1,000,000 + [0, 65536). Above every ordinary account and below Podman's subuid ranges' usual end. */
export const AGENT_UID_BASE = 1_000_000;
export const AGENT_UID_RANGE = 65_536;

export interface RunIdentity {
  uid: number;
  gid: number;
  /** Who owned a mounted workspace before the run (handed back at the end); null for clones and scratch. */
  ownerUid: number | null;
  ownerGid: number | null;
}

/** UIDs and GIDs the host's account files name (a run's must be none of them). */
export function hostIds(passwd = '/etc/passwd', group = '/etc/group'): Set<number> {
  const ids = new Set<number>();
  for (const file of [passwd, group]) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const id = Number(line.split(':')[2]);
      if (line.trim() !== '' && Number.isInteger(id)) ids.add(id);
    }
  }
  return ids;
}

/**
 * UIDs that own a process on this host now: a live run of another Paddock home (its own database) shows up here, as the
 * engines run rootful with no user namespace, so two homes on one machine never hand out the same live UID.
 */
export function processUids(): Set<number> {
  const ids = new Set<number>();
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return ids;
  }
  for (const pid of pids) {
    try {
      const m = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) ids.add(Number(m[1]));
    } catch {
      // gone meanwhile
    }
  }
  return ids;
}

/** Everything a new run's UID must not be: a host account's or group's ID, or a UID that runs a process now. */
export function takenIds(): Set<number> {
  const ids = hostIds();
  for (const id of processUids()) ids.add(id);
  return ids;
}

export class RunIdentitiesRepo {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  get(runId: string): RunIdentity | undefined {
    const r = this.db.prepare('SELECT uid, gid, owner_uid, owner_gid FROM run_identities WHERE run_id = ?').get(runId) as
      | { uid: number; gid: number; owner_uid: number | null; owner_gid: number | null }
      | undefined;
    return r ? { uid: Number(r.uid), gid: Number(r.gid), ownerUid: r.owner_uid === null ? null : Number(r.owner_uid), ownerGid: r.owner_gid === null ? null : Number(r.owner_gid) } : undefined;
  }

  /**
   * The run's identity, allocated on first call: the next UID after the last one handed out (wrapping round the
   * range; a random place for a home's first run), skipping UIDs of this home's live runs, any the host's account
   * files name and any that runs a process on the host (another home's live run). In one write transaction, so two
   * processes never hand out the same one.
   */
  allocate(runId: string, liveStates: readonly string[], taken: Set<number> = takenIds()): RunIdentity {
    return transaction(this.db, () => {
      const have = this.get(runId);
      if (have) return have;
      const live = new Set(
        (this.db.prepare(`SELECT i.uid FROM run_identities i JOIN runs r ON r.id = i.run_id WHERE r.state IN (${liveStates.map(() => '?').join(', ')})`).all(...liveStates) as { uid: number }[]).map(
          (r) => Number(r.uid),
        ),
      );
      const last = this.db.prepare('SELECT uid FROM run_identities ORDER BY allocated_at DESC, rowid DESC LIMIT 1').get() as { uid: number } | undefined;
      // A home's first run starts at a random place in the range, so two homes' sequences rarely meet.
      const start = last ? Number(last.uid) - AGENT_UID_BASE + 1 : randomInt(AGENT_UID_RANGE);
      for (let i = 0; i < AGENT_UID_RANGE; i++) {
        const uid = AGENT_UID_BASE + ((start + i) % AGENT_UID_RANGE);
        if (live.has(uid) || taken.has(uid)) continue;
        this.db.prepare('INSERT INTO run_identities (run_id, uid, gid, allocated_at) VALUES (?, ?, ?, ?)').run(runId, uid, uid, Date.now());
        return { uid, gid: uid, ownerUid: null, ownerGid: null };
      }
      throw new Error(`no free agent UID in ${AGENT_UID_BASE}–${AGENT_UID_BASE + AGENT_UID_RANGE - 1}: every one is a live run's or a host account's`);
    });
  }

  /** Records who owned a mounted workspace before the run took it. */
  setOwner(runId: string, uid: number, gid: number): void {
    this.db.prepare('UPDATE run_identities SET owner_uid = ?, owner_gid = ? WHERE run_id = ?').run(uid, gid, runId);
  }
}
