/**
 * One lock per user repository, across processes: `<paddockHome>/locks/<sha256(common git dir)>.lock`
 * (a proper-lockfile mkdir lock, refreshed while held, taken over when stale). Within one process the
 * waiters also queue on a promise chain, so they do not poll each other. Re-entrant: code already running
 * under a repository's lock (in the same async context) that asks for it again just runs.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { ErrorCode, PaddockError } from '../errors/index.ts';
import { repoGit } from './git.ts';

export interface RepoLockOptions {
  /** How long to wait for the lock before giving up, ms (default 120 s). */
  waitMs?: number;
  /** A lock not refreshed for this long is taken to be left by a dead process, ms (default 15 s). */
  staleMs?: number;
}

const inProcess = new Map<string, Promise<unknown>>();
const held = new AsyncLocalStorage<ReadonlySet<string>>();

/** The lock file path for a repository: keyed by the real path of its common git dir, so every path into the repo maps to one lock. */
export async function repoLockPath(paddockHome: string, repoPath: string): Promise<string> {
  const out = await repoGit(path.resolve(repoPath), ['rev-parse', '--path-format=absolute', '--git-common-dir'], {
    hint: 'Pass the path of an existing git repository.',
  });
  const commonDir = await fs.realpath(out.trim());
  const key = createHash('sha256').update(commonDir).digest('hex');
  return path.join(path.resolve(paddockHome), 'locks', `${key}.lock`);
}

/** Runs `fn` while holding the repository's lock; releases it however `fn` ends. */
export async function withRepoLock<T>(paddockHome: string, repoPath: string, fn: () => Promise<T>, opts: RepoLockOptions = {}): Promise<T> {
  const lockPath = await repoLockPath(paddockHome, repoPath);
  const mine = held.getStore();
  if (mine?.has(lockPath)) return fn();
  const inner = (): Promise<T> => held.run(new Set([...(mine ?? []), lockPath]), fn);
  const previous = inProcess.get(lockPath) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => holdLock(lockPath, inner, opts));
  const tail = run.catch(() => undefined);
  inProcess.set(lockPath, tail);
  try {
    return await run;
  } finally {
    if (inProcess.get(lockPath) === tail) inProcess.delete(lockPath);
  }
}

async function holdLock<T>(lockPath: string, fn: () => Promise<T>, opts: RepoLockOptions): Promise<T> {
  await fs.mkdir(path.dirname(lockPath), { recursive: true });
  const waitMs = opts.waitMs ?? 120_000;
  const staleMs = Math.max(opts.staleMs ?? 15_000, 2_000);
  let compromised: Error | undefined;
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(lockPath, {
      lockfilePath: lockPath,
      realpath: false,
      stale: staleMs,
      retries: { retries: 100_000, factor: 1.3, minTimeout: 10, maxTimeout: 250, randomize: true, maxRetryTime: waitMs },
      onCompromised: (err) => {
        compromised = err;
      },
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOCKED') {
      throw new PaddockError(ErrorCode.Conflict, `the repository is busy: another Paddock operation held its lock for more than ${Math.round(waitMs / 1000)} s`, {
        hint: `Wait for the other operation to finish; if no Paddock process is running, remove ${lockPath}.`,
        details: { lockPath },
        cause: err,
      });
    }
    throw new PaddockError(ErrorCode.Internal, `could not take the repository lock ${lockPath}: ${(err as Error).message}`, {
      hint: 'Check that the Paddock home directory is writable.',
      details: { lockPath },
      cause: err,
    });
  }
  try {
    const result = await fn();
    if (compromised !== undefined) {
      throw new PaddockError(ErrorCode.Conflict, `the repository lock was lost while working (${compromised.message}); another process may have used the repository at the same time`, {
        hint: 'Check the repository state (git log, git status) and retry the operation.',
        details: { lockPath },
      });
    }
    return result;
  } finally {
    if (compromised === undefined) await release().catch(() => undefined);
  }
}
