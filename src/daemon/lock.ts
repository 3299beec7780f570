/**
 * One daemon per PADDOCK_HOME: daemon.json holds the live daemon's pid, start time and addresses. It is created with
 * O_EXCL; a file left by a daemon that died (SIGKILL) is recognised by its dead pid and replaced.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, PaddockError, processStart } from '../app/index.ts';

export interface DaemonRecord {
  pid: number;
  start: string;
  socket: string;
  tcp: string | null;
  version: string;
  startedAt: number;
}

export const daemonFile = (home: string) => join(home, 'daemon.json');

export function readDaemonRecord(home: string): DaemonRecord | undefined {
  try {
    return JSON.parse(readFileSync(daemonFile(home), 'utf8')) as DaemonRecord;
  } catch {
    return undefined;
  }
}

export function isAlive(r: Pick<DaemonRecord, 'pid' | 'start'>): boolean {
  return processStart(r.pid) === r.start;
}

/** Claims the home for this process; throws CONFLICT naming the live daemon if another one has it. */
export function claimHome(home: string, record: DaemonRecord): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(daemonFile(home), `${JSON.stringify(record)}\n`, { flag: 'wx', mode: 0o600 });
      return () => {
        const now = readDaemonRecord(home);
        if (now?.pid === record.pid && now.start === record.start) rmSync(daemonFile(home), { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const other = readDaemonRecord(home);
      if (other && isAlive(other)) {
        throw new PaddockError(ErrorCode.Conflict, `a Paddock daemon already runs for ${home} (pid ${other.pid}, ${other.socket})`, {
          hint: 'use it (every paddock command does), or stop it first: paddock daemon stop',
        });
      }
      rmSync(daemonFile(home), { force: true }); // left by a daemon that died: take over
    }
  }
  throw new PaddockError(ErrorCode.Conflict, `could not claim ${daemonFile(home)}`, { hint: 'another daemon is starting at the same moment; try again' });
}

/** Rewrites this daemon's own record (after it knows its addresses). */
export function updateRecord(home: string, record: DaemonRecord): void {
  writeFileSync(daemonFile(home), `${JSON.stringify(record)}\n`, { mode: 0o600 });
}
