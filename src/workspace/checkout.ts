/**
 * Creating and removing a run's private checkout: `git clone --shared --no-checkout` of the user's
 * repository into `<runDir>/src`, the run branch checked out at its base, a known-good config, no hooks,
 * and the whole tree handed to the container user.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, PaddockError } from '../errors/index.ts';
import { branchExists, validateBranchName } from './branch-name.ts';
import { baseIndexPath, checkoutDir, copyKeepingMtime, removeCheckoutRecord, writeCheckoutRecord } from './checkout-record.ts';
import { knownGoodConfig, writeFresh } from './clone-config.ts';
import { cloneGit, git } from './git.ts';
import { chownTree } from './ownership.ts';
import { inspectRepo, resolveBase } from './repo.ts';
import { withRepoLock } from './repo-lock.ts';

export interface CreateRunCheckoutInput {
  /**
   * Paddock's home directory (holds the per-repo locks): the clone step runs under the repository's lock.
   * Omit it only when the caller already holds that lock (withRepoLock).
   */
  paddockHome?: string;
  /** Any path inside the user's repository. */
  repo: string;
  /** The run's own directory; the clone goes to `<runDir>/src`. */
  runDir: string;
  /** Name of the run branch (created in the clone only; it reaches the user's repo at finalize). */
  branch: string;
  /** Commit (or any revision) the run starts from. */
  baseSha: string;
  /**
   * Continue on a branch that already exists in the user's repository (the run must start at its head;
   * the bring-back then only fast-forwards it). Without this an existing branch is a CONFLICT.
   */
  reuseBranch?: boolean;
  /** Owner to hand the clone to (the container user). Omit to leave it owned by the current user. */
  uid?: number;
  gid?: number;
}

export interface RunCheckout {
  /** The clone's working tree: mount it read-write at /workspace. */
  dir: string;
  gitDir: string;
  /** The user's objects dir: mount it read-only at this same absolute path (the clone's alternates point here). */
  objectsDir: string;
  /** Further object dirs the user's repository itself borrows from; mount them read-only at their own paths too. */
  alternateObjectDirs: string[];
  branch: string;
  baseSha: string;
  /** Timings of the steps, ms. */
  timings: { cloneMs: number; checkoutMs: number; chownMs: number; totalMs: number };
}

export async function createRunCheckout(input: CreateRunCheckoutInput): Promise<RunCheckout> {
  const t0 = performance.now();
  const info = await inspectRepo(input.repo);
  await validateBranchName(input.branch);
  const baseSha = await resolveBase(info, input.baseSha);
  if (await branchExists(info.root, input.branch)) {
    const tip = input.reuseBranch === true ? await resolveBase(info, `refs/heads/${input.branch}`) : undefined;
    if (tip === undefined) {
      throw new PaddockError(ErrorCode.Conflict, `branch "${input.branch}" already exists in ${info.root}`, {
        hint: `Pick another branch name, or delete the old one: git -C ${info.root} branch -D ${input.branch}`,
        details: { branch: input.branch },
      });
    }
    if (tip !== baseSha) {
      throw new PaddockError(ErrorCode.Conflict, `to continue on branch "${input.branch}", the run must start at its head ${tip.slice(0, 12)}, not ${baseSha.slice(0, 12)}`, {
        hint: `Start the run from the branch itself (base ${input.branch}).`,
        details: { branch: input.branch, tip, baseSha },
      });
    }
  }
  if ((input.uid === undefined) !== (input.gid === undefined)) {
    throw new PaddockError(ErrorCode.InvalidInput, 'uid and gid must be given together', { hint: 'Pass both uid and gid of the container user, or neither.' });
  }

  const runDir = path.resolve(input.runDir);
  const dir = checkoutDir(runDir);
  await fs.mkdir(runDir, { recursive: true });
  const existing = await fs.lstat(dir).catch(() => undefined);
  if (existing !== undefined) {
    throw new PaddockError(ErrorCode.Conflict, `a checkout already exists at ${dir}`, {
      hint: 'Use a fresh run directory, or remove the old checkout first (removeCheckout).',
      details: { dir },
    });
  }

  let created = false;
  try {
    const tClone = performance.now();
    const clone = async (): Promise<void> => {
      created = true;
      // --template= : no sample hooks, no info/exclude, no description. Cloning from the common dir works for linked worktrees too.
      await git(['clone', '--shared', '--no-checkout', '--template=', '--quiet', '--', info.commonDir, dir], {
        hint: `Check that ${info.commonDir} is readable and ${runDir} is writable.`,
      });
    };
    if (input.paddockHome === undefined) await clone();
    else await withRepoLock(input.paddockHome, info.root, clone);
    const cloneMs = performance.now() - tClone;

    const gitDir = path.join(dir, '.git');
    await writeFresh(path.join(gitDir, 'config'), knownGoodConfig(info.objectFormat));
    await fs.rm(path.join(gitDir, 'hooks'), { recursive: true, force: true });
    // Exactly the path the runtime mounts read-only (clone wrote <commonDir>/objects; they differ if objects is a symlink).
    await writeFresh(path.join(gitDir, 'objects', 'info', 'alternates'), `${info.objectsDir}\n`);

    const tCheckout = performance.now();
    await cloneGit(dir, ['-c', 'checkout.workers=0', 'checkout', '--quiet', '-b', input.branch, baseSha], {
      hint: 'Check free disk space in the Paddock home directory.',
    });
    const checkoutMs = performance.now() - tCheckout;
    await copyKeepingMtime(path.join(gitDir, 'index'), baseIndexPath(runDir));

    await writeCheckoutRecord(runDir, {
      version: 1,
      repoRoot: info.root,
      commonDir: info.commonDir,
      objectsDir: info.objectsDir,
      objectFormat: info.objectFormat,
      branch: input.branch,
      baseSha,
      createdAt: new Date().toISOString(),
    });

    const tChown = performance.now();
    if (input.uid !== undefined && input.gid !== undefined) await chownTree(dir, input.uid, input.gid);
    const chownMs = performance.now() - tChown;

    return {
      dir,
      gitDir,
      objectsDir: info.objectsDir,
      alternateObjectDirs: info.alternateObjectDirs,
      branch: input.branch,
      baseSha,
      timings: { cloneMs, checkoutMs, chownMs, totalMs: performance.now() - t0 },
    };
  } catch (err) {
    if (created) await removeCheckout(runDir).catch(() => undefined);
    throw err;
  }
}

/** Deletes a run's checkout (`<runDir>/src` and its record). Symlinks inside are removed, never followed. */
export async function removeCheckout(runDir: string): Promise<void> {
  const dir = checkoutDir(runDir);
  try {
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 2 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const st = await fs.lstat(dir).catch(() => undefined);
    if ((code !== 'EACCES' && code !== 'EPERM') || st === undefined || !st.isDirectory()) throw err;
    // The agent may have removed write permission from directories; give it back (chmod -R ignores symlinks it meets) and retry.
    await new Promise<void>((resolve) => execFile('chmod', ['-R', 'u+rwX', '--', dir], () => resolve()));
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 2 });
  }
  await removeCheckoutRecord(runDir);
}
