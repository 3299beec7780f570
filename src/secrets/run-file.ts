/**
 * A run's secrets on their way in: one file on a tmpfs (never on disk), `NAME=<base64 of the value>` a line, in
 * <tmpfs>/paddock-<instance>/<run>/env. Both directories are 0700 and the daemon's user owns them, so no other host
 * user reaches the file; the file alone is bind-mounted read-only into the container, where the entry script reads it
 * at start and hands the variables to the agent CLI only. It is 0400 and owned by the run's own UID (the jail's
 * per-run identity). It is removed when the run ends, however it ends.
 */
import { chmodSync, chownSync, closeSync, existsSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statfsSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, PaddockError } from '../errors/index.ts';

/** statfs f_type of a tmpfs (linux/magic.h TMPFS_MAGIC). */
const TMPFS_MAGIC = 0x01021994;
/** Where the file is inside the container (outside /run/paddock, whose directory is the relay's). */
export const IN_CONTAINER_SECRETS_FILE = '/run/paddock-secrets/env';

export const secretsBaseDir = (tmpfs: string, instance: string): string => join(tmpfs, `paddock-${instance}`);
export const runSecretsFile = (tmpfs: string, instance: string, runId: string): string => join(secretsBaseDir(tmpfs, instance), runId, 'env');

/** Writes the run's file and returns its host path. values: variable → value. */
export function writeRunSecrets(tmpfs: string, instance: string, runId: string, values: Record<string, string>, owner?: { uid: number; gid: number }): string {
  if (statfsSync(tmpfs).type !== TMPFS_MAGIC)
    throw new PaddockError(ErrorCode.InvalidConfig, `PADDOCK_SECRETS_TMPFS ${tmpfs} is not a tmpfs: secrets are never written to disk`, {
      hint: 'point it at a tmpfs (/dev/shm is one on most Linux hosts)',
    });
  const base = ownDir(secretsBaseDir(tmpfs, instance));
  const dir = ownDir(join(base, runId));
  const file = join(dir, 'env');
  rmSync(file, { force: true });
  const body = Object.entries(values)
    .map(([k, v]) => `${k}=${Buffer.from(v, 'utf8').toString('base64')}\n`)
    .join('');
  const fd = openSync(file, 'wx', 0o400);
  try {
    writeSync(fd, body);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  // The run's own UID reads it (0400); without one (tests), anyone who can reach it, which is only through the mount.
  if (owner) chownSync(file, owner.uid, owner.gid);
  else chmodSync(file, 0o444);
  return file;
}

/** The values in a run's file (what its container got), or undefined when it has none. */
export function readRunSecrets(tmpfs: string, instance: string, runId: string): Record<string, string> | undefined {
  const file = runSecretsFile(tmpfs, instance, runId);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = Buffer.from(line.slice(eq + 1), 'base64').toString('utf8');
  }
  return out;
}

/** Removes a run's file (emptied first: a container that still has it mounted sees nothing either). */
export function removeRunSecrets(tmpfs: string, instance: string, runId: string): boolean {
  const file = runSecretsFile(tmpfs, instance, runId);
  const had = existsSync(file);
  try {
    truncateSync(file, 0);
  } catch {
    // not there
  }
  rmSync(join(secretsBaseDir(tmpfs, instance), runId), { recursive: true, force: true });
  return had;
}

/** Removes the files of runs that are not live (keep says which are). Returns the run ids whose files went. */
export function sweepRunSecrets(tmpfs: string, instance: string, keep: (runId: string) => boolean): string[] {
  const base = secretsBaseDir(tmpfs, instance);
  let ids: string[];
  try {
    ids = readdirSync(base);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const id of ids) {
    if (keep(id)) continue;
    removeRunSecrets(tmpfs, instance, id);
    removed.push(id);
  }
  return removed;
}

/**
 * A directory of Paddock's own, 0700: made if missing; refused if something else is there (a symlink, another
 * user's directory: /dev/shm is writable by everyone, so someone could have made the path first to read the files).
 */
function ownDir(dir: string): string {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const st = lstatSync(dir);
  const me = process.getuid?.() ?? 0;
  if (!st.isDirectory() || st.uid !== me)
    throw new PaddockError(ErrorCode.Internal, `${dir} is not a directory Paddock made (${st.isSymbolicLink() ? 'a symlink' : `owner uid ${st.uid}`}): refusing to put secrets there`, {
      hint: 'remove it (someone else may have made it to read the secrets), then try again',
    });
  chmodSync(dir, 0o700);
  return dir;
}
