/** Deleting a run branch from the user's repository (gc of runs deleted unmerged): only in the exact state Paddock left it. */
import { ErrorCode, PaddockError, invalidInput } from '../errors/index.ts';
import { validateBranchName } from './branch-name.ts';
import { repoGitResult } from './git.ts';
import { worktreeWithBranch } from './merge.ts';
import { inspectRepo } from './repo.ts';
import { withRepoLock } from './repo-lock.ts';

export interface DeleteRunBranchInput {
  paddockHome: string;
  repo: string;
  branch: string;
  /**
   * The head Paddock brought back for this run (FinalizedRun.head). The branch is deleted only if it still
   * points there: a branch the user created, moved or committed to is never deleted.
   */
  expectedHead: string;
}

export interface DeleteRunBranchResult {
  deleted: boolean;
  /** Why not, when not deleted: the branch was already gone. */
  reason?: 'absent';
}

export async function deleteRunBranch(input: DeleteRunBranchInput): Promise<DeleteRunBranchResult> {
  await validateBranchName(input.branch);
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(input.expectedHead)) {
    throw invalidInput(`expectedHead "${input.expectedHead}" is not a full commit sha`, 'Pass the head recorded when the run branch was brought back.');
  }
  const info = await inspectRepo(input.repo);
  const root = info.root;
  const ref = `refs/heads/${input.branch}`;
  return withRepoLock(input.paddockHome, root, async () => {
    const cur = await repoGitResult(root, ['rev-parse', '-q', '--verify', ref], { okCodes: [1, 128] });
    if (cur.code !== 0) return { deleted: false, reason: 'absent' };
    const head = cur.stdout.trim();
    if (head !== input.expectedHead) {
      throw new PaddockError(ErrorCode.Conflict, `branch "${input.branch}" has moved since Paddock created it (now ${head.slice(0, 12)}); not deleting it`, {
        hint: `If you really want it gone: git -C ${root} branch -D ${input.branch}`,
        details: { branch: input.branch, head, expectedHead: input.expectedHead },
      });
    }
    const wt = await worktreeWithBranch(root, input.branch);
    if (wt !== null) {
      throw new PaddockError(ErrorCode.Conflict, `branch "${input.branch}" is checked out in ${wt}; not deleting it`, {
        hint: 'Switch that worktree to another branch first.',
        details: { worktree: wt },
      });
    }
    // Compare-and-swap delete: fails if the branch moved between the check and now.
    const res = await repoGitResult(root, ['update-ref', '-d', ref, input.expectedHead], { okCodes: [1, 128] });
    if (res.code !== 0) {
      throw new PaddockError(ErrorCode.Conflict, `branch "${input.branch}" changed while deleting it; not deleted`, { hint: 'Retry.', details: { stderr: res.stderr.trim() } });
    }
    return { deleted: true };
  });
}
