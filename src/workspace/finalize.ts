/**
 * After the run's container has stopped: take the clone back, neutralise whatever the agent planted in
 * its `.git`, commit what it left uncommitted, and (for task runs) fetch only the run branch into the
 * user's repository, under the repository lock.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, PaddockError, invalidInput } from '../errors/index.ts';
import { baseIndexPath, checkoutDir, copyKeepingMtime, readCheckoutRecord, writeCheckoutRecord } from './checkout-record.ts';
import type { CheckoutRecord } from './checkout-record.ts';
import { PADDOCK_IDENTITY } from './clone-config.ts';
import { type CommitFlag, authorFlags, restampCommits } from './committer.ts';
import { cloneGit, repoGit, repoGitResult } from './git.ts';
import { type LeftOutFile, type OutsideSymlink, type RemovedKind, sweepTree } from './hostile-tree.ts';
import { chownTree, currentOwner } from './ownership.ts';
import { inspectRepo } from './repo.ts';
import { withRepoLock } from './repo-lock.ts';
import { rebuildGitDir, tamperedError } from './sanitize.ts';

export interface FinalizeRunCheckoutInput {
  /** Paddock's home (holds the per-repo locks); the bring-back runs under the repository's lock. */
  paddockHome: string;
  /** Any path inside the user's repository (must be the one the checkout was made from). */
  repo: string;
  runDir: string;
  /** The run branch; defaults to the one recorded at creation (and must match it if given). */
  branch?: string;
  /** The run's base; defaults to the one recorded at creation (and must match it if given). */
  baseSha?: string;
  /** Owner to give the clone back to; defaults to the current process's uid/gid (git will not read a repo owned by someone else). */
  hostUid?: number;
  hostGid?: number;
  /** Message of the commit Paddock makes of uncommitted changes. */
  commitMessage?: string;
  /** true: fetch the run branch into the user's repository. false (explore runs): leave it in the clone only. */
  bringBack: boolean;
  /** Files larger than this are left out of the commit and reported (default 100 MiB). */
  maxFileBytes?: number;
  /** When the run started (ms): author dates far from [runStartedAt, now] are flagged. Defaults to the checkout's creation. */
  runStartedAt?: number;
}

/** What finalize found in the tree and did about it (a run event; `status` and `diff` show it). */
export interface FinalizeReport {
  /** FIFOs, sockets, device nodes and nested `.git` entries, removed before any git command. */
  removed: { path: string; kind: RemovedKind }[];
  /** Files not committed: above the size limit, or sparse. */
  leftOut: LeftOutFile[];
  /** Symlinks in the tree that point outside it (merge refuses them unless allowed). */
  outsideSymlinks: OutsideSymlink[];
  /** The agent's commits rewritten with Paddock as committer. */
  restamped: number;
  /** Commits whose claimed author is not the agent, or whose date is far from the run's time. */
  authorFlags: CommitFlag[];
  maxFileBytes: number;
}

export interface FinalizedRun {
  branch: string;
  baseSha: string;
  /** The run branch's head after finalize (in the clone, and in the user's repo when brought back). */
  headSha: string;
  /** Commits on the run branch that its base does not have. */
  commitsAhead: number;
  /** Whether the head differs from the base. */
  changed: boolean;
  /** Whether Paddock committed changes the agent left uncommitted. */
  committedLeftovers: boolean;
  broughtBack: boolean;
  /** What the agent had planted and finalize removed or reset (for the run's log). */
  neutralised: string[];
  report: FinalizeReport;
  timings: { chownMs: number; sweepMs: number; sanitizeMs: number; commitMs: number; bringBackMs: number; totalMs: number };
}

export const DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024;

const DEFAULT_MESSAGE = 'Changes left uncommitted by the agent\n\nCommitted by Paddock when the run ended.';

export async function finalizeRunCheckout(input: FinalizeRunCheckoutInput): Promise<FinalizedRun> {
  const t0 = performance.now();
  const runDir = path.resolve(input.runDir);
  const record = await readCheckoutRecord(runDir);
  if (input.branch !== undefined && input.branch !== record.branch) {
    throw invalidInput(`branch "${input.branch}" does not match the run checkout's branch "${record.branch}"`, 'Finalize with the branch the checkout was created for.');
  }
  if (input.baseSha !== undefined && input.baseSha !== record.baseSha) {
    throw invalidInput(`base ${input.baseSha} does not match the run checkout's base ${record.baseSha}`, 'Finalize with the base the checkout was created from.');
  }
  const info = await inspectRepo(input.repo);
  if (info.commonDir !== record.commonDir) {
    throw invalidInput(`repository ${info.root} is not the one this checkout was made from (${record.repoRoot})`, 'Pass the repository the run was started on.');
  }
  const dir = checkoutDir(runDir);
  const top = await fs.lstat(dir).catch(() => undefined);
  if (top === undefined) throw new PaddockError(ErrorCode.NotFound, `the run checkout ${dir} does not exist`, { hint: 'It may have been removed already.' });
  if (!top.isDirectory()) throw tamperedError(dir, 'the checkout directory is not a real directory');

  // 1. Take the tree back (chown -R -h never follows a symlink; chown also clears setuid/setgid bits).
  const tChown = performance.now();
  const owner = currentOwner();
  await chownTree(dir, input.hostUid ?? owner.uid, input.hostGid ?? owner.gid);
  const chownMs = performance.now() - tChown;

  // 2. Before any git command: remove what would block git or send it elsewhere; list what stays out of the commit.
  const tSweep = performance.now();
  const maxFileBytes = input.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const swept = await sweepTree(dir, { maxFileBytes });
  const sweepMs = performance.now() - tSweep;

  // 3. A fresh .git: known-good config, no hooks, alternates = the user's objects, only the run branch.
  const tSanitize = performance.now();
  const rebuilt = await rebuildGitDir(dir, record);
  // The agent's commits get Paddock as committer (their claimed authors stay, and are checked below).
  const restamped =
    rebuilt.tip === null ? { head: record.baseSha, rewritten: 0, leftOut: [] } : await restampCommits(dir, record.baseSha, rebuilt.tip, record.objectFormat, { maxBlobBytes: maxFileBytes });
  const start = restamped.head;
  await cloneGit(dir, ['update-ref', '-m', 'paddock: finalize', `refs/heads/${record.branch}`, start]);
  const sanitizeMs = performance.now() - tSanitize;

  // 4. Commit what the agent left (fresh index from the branch tip, then the working tree as it is, less what is left out).
  const tCommit = performance.now();
  const head = await commitLeftovers(dir, runDir, record, start, input.commitMessage ?? DEFAULT_MESSAGE, swept.leftOut);
  const commitMs = performance.now() - tCommit;
  const committedLeftovers = head !== start;
  const flags = await authorFlags(dir, record.baseSha, head, { from: input.runStartedAt ?? Date.parse(record.createdAt), to: Date.now() });

  const ahead = Number.parseInt((await cloneGit(dir, ['rev-list', '--count', `${record.baseSha}..${head}`])).trim(), 10);

  // 4. Bring back only refs/heads/<branch>, into the user's repository, under its lock.
  let bringBackMs = 0;
  if (input.bringBack) {
    const tBack = performance.now();
    await withRepoLock(input.paddockHome, info.root, () => fetchRunBranch(info.root, dir, record, head));
    await writeCheckoutRecord(runDir, { ...record, broughtBackSha: head });
    bringBackMs = performance.now() - tBack;
  }

  return {
    branch: record.branch,
    baseSha: record.baseSha,
    headSha: head,
    commitsAhead: Number.isFinite(ahead) ? ahead : 0,
    changed: head !== record.baseSha,
    committedLeftovers,
    broughtBack: input.bringBack,
    neutralised: rebuilt.neutralised,
    report: {
      removed: swept.removed,
      leftOut: [
        ...swept.leftOut,
        ...restamped.leftOut
          .filter((c) => !swept.leftOut.some((f) => f.path === c.path))
          .map((c): LeftOutFile => ({ path: c.path, size: c.size, allocated: c.size, why: 'too-large', inCommit: c.commit })),
      ],
      outsideSymlinks: swept.outsideSymlinks,
      restamped: restamped.rewritten,
      authorFlags: flags,
      maxFileBytes,
    },
    timings: { chownMs, sweepMs, sanitizeMs, commitMs, bringBackMs, totalMs: performance.now() - t0 },
  };
}

/**
 * The index is built by Paddock, never taken from the agent: the copy saved at checkout (for its stat data)
 * is merged with the branch tip (`read-tree -m` keeps stat data only where the content matches), then the
 * working tree is added as it is. Stat checks compare only size, mtime and mode (the chown changed owner
 * and ctime of every file); a file whose change was hidden that way only loses the agent its own edit.
 */
async function commitLeftovers(dir: string, runDir: string, record: CheckoutRecord, tip: string, message: string, leftOut: readonly LeftOutFile[]): Promise<string> {
  const stat = ['-c', 'core.checkStat=minimal', '-c', 'core.trustctime=false'];
  const saved = await copyKeepingMtime(baseIndexPath(runDir), path.join(dir, '.git', 'index')).then(
    () => true,
    () => false,
  );
  await cloneGit(dir, [...stat, 'read-tree', ...(saved ? ['-m', '-i'] : []), tip]);
  // Left-out files are excluded before git reads them (a sparse 4 GiB file is never hashed); tracked ones keep the tip's version.
  const pathspecs = ['.', ...leftOut.map((f) => `:(top,literal,exclude)${f.path}`)];
  await cloneGit(dir, [...stat, 'add', '--all', '--no-warn-embedded-repo', '--pathspec-from-file=-', '--pathspec-file-nul'], {
    hint: 'A file in the checkout could not be read; check its permissions.',
    input: `${pathspecs.join('\0')}\0`,
  });
  const tree = (await cloneGit(dir, ['write-tree'])).trim();
  const tipTree = (await cloneGit(dir, ['rev-parse', '--verify', `${tip}^{tree}`])).trim();
  if (tree === tipTree) return tip;
  const identity = {
    GIT_AUTHOR_NAME: PADDOCK_IDENTITY.name,
    GIT_AUTHOR_EMAIL: PADDOCK_IDENTITY.email,
    GIT_COMMITTER_NAME: PADDOCK_IDENTITY.name,
    GIT_COMMITTER_EMAIL: PADDOCK_IDENTITY.email,
  };
  const commit = (await cloneGit(dir, ['commit-tree', tree, '-p', tip, '-F', '-'], { env: identity, input: message })).trim();
  await cloneGit(dir, ['update-ref', '-m', 'paddock: commit leftovers', `refs/heads/${record.branch}`, commit, tip]);
  return commit;
}

async function fetchRunBranch(root: string, dir: string, record: CheckoutRecord, head: string): Promise<void> {
  const ref = `refs/heads/${record.branch}`;
  const current = await repoGitResult(root, ['rev-parse', '-q', '--verify', `${ref}^{commit}`], { okCodes: [1, 128] });
  const existing = current.code === 0 ? current.stdout.trim() : undefined;
  if (existing === head) return;
  // Force only over what Paddock itself put there; a branch the user has since moved is updated fast-forward only.
  const force = existing === undefined || existing === record.broughtBackSha;
  const refspec = `${force ? '+' : ''}${ref}:${ref}`;
  const res = await repoGitResult(
    root,
    [
      '-c',
      'transfer.fsckObjects=true',
      '-c',
      'fetch.fsckObjects=true',
      '-c',
      'gc.auto=0',
      '-c',
      'maintenance.auto=false',
      '-c',
      'fetch.writeCommitGraph=false',
      '-c',
      'fetch.recurseSubmodules=false',
      'fetch',
      '--no-progress',
      '--no-tags',
      '--no-write-fetch-head',
      '--no-recurse-submodules',
      '--no-auto-maintenance',
      '--no-prune',
      '--',
      path.join(dir, '.git'),
      refspec,
    ],
    { okCodes: [1, 128] },
  );
  if (res.code !== 0) {
    if (/non-fast-forward|rejected/i.test(res.stderr)) {
      throw new PaddockError(ErrorCode.Conflict, `branch "${record.branch}" in ${root} has commits the run does not have; not overwriting it`, {
        hint: `Rename or delete your branch (git -C ${root} branch -m ${record.branch} <new-name>) and finalize again.`,
        details: { stderr: res.stderr.trim() },
      });
    }
    if (/refusing to fetch into (current )?branch|checked out/i.test(res.stderr)) {
      throw new PaddockError(ErrorCode.Conflict, `branch "${record.branch}" is checked out in ${root}, so git will not update it`, {
        hint: 'Switch that worktree to another branch and finalize again.',
        details: { stderr: res.stderr.trim() },
      });
    }
    const why =
      res.stderr
        .split('\n')
        .map((l) => l.trim())
        .find((l) => /error|fatal/i.test(l)) ??
      res.stderr.trim().split('\n')[0] ??
      '';
    throw new PaddockError(ErrorCode.GitFailed, `bringing back branch "${record.branch}" failed: ${why}`, {
      hint: /fsck|bad|malformed|invalid|missing/i.test(res.stderr)
        ? 'The run branch contains malformed or incomplete objects, so it was not accepted into your repository.'
        : 'Run the fetch by hand to see the full error.',
      details: { stderr: res.stderr.trim() },
    });
  }
  const arrived = (await repoGit(root, ['rev-parse', '--verify', `${ref}^{commit}`])).trim();
  if (arrived !== head) {
    throw new PaddockError(ErrorCode.Internal, `branch "${record.branch}" arrived at ${arrived}, expected ${head}`, { hint: 'Check the branch by hand.' });
  }
}
