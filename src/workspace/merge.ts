/**
 * Merging a run branch into a branch of the user's repository without touching any worktree to compute it:
 * `git merge-tree --write-tree` gives the merged tree (or the conflicts), `commit-tree` makes the commit,
 * then the target branch moves by compare-and-swap (`update-ref new old`), or, when it is checked out,
 * by `merge --ff-only` in that worktree (which must be clean) so the user's files follow.
 */
import { ErrorCode, PaddockError, invalidInput, notFound } from '../errors/index.ts';
import { PADDOCK_IDENTITY } from './clone-config.ts';
import { repoGit, repoGitResult } from './git.ts';
import { inspectRepo } from './repo.ts';
import { withRepoLock } from './repo-lock.ts';
import { validateBranchName } from './branch-name.ts';
import { outsideSymlinksBetween } from './symlinks.ts';

export interface MergeInput {
  /** Paddock's home (per-repo locks). Omit it only when the caller already holds the repository's lock (withRepoLock). */
  paddockHome?: string;
  repo: string;
  /** The run branch to merge. */
  branch: string;
  /** The branch to merge into. */
  into: string;
  /** One-parent commit with the run's changes instead of a two-parent merge commit. */
  squash?: boolean;
  message?: string;
  /** Merge even if the change brings symlinks pointing outside the worktree (absolute, or climbing with `..`). A link into `.git` is refused regardless. */
  allowOutsideSymlinks?: boolean;
}

export interface MergeResult {
  status: 'merged' | 'already-merged';
  /** The new head of `into` (its unchanged head for a no-op). */
  commit: string;
  /** The head of `into` before. */
  previous: string;
  into: string;
  branch: string;
  squash: boolean;
  /** The worktree where `into` was checked out and whose files were updated, if any. */
  updatedWorktree: string | null;
  /** A sentence for the user. */
  message: string;
}

export async function merge(input: MergeInput): Promise<MergeResult> {
  const squash = input.squash ?? false;
  await validateBranchName(input.branch);
  await validateBranchName(input.into);
  if (input.branch === input.into) throw invalidInput(`cannot merge branch "${input.branch}" into itself`);
  const info = await inspectRepo(input.repo);
  const root = info.root;
  const locked = <T>(fn: () => Promise<T>): Promise<T> => (input.paddockHome === undefined ? fn() : withRepoLock(input.paddockHome, root, fn));
  return locked(async (): Promise<MergeResult> => {
    const branchTip = await branchHead(root, input.branch);
    const intoTip = await branchHead(root, input.into);
    const base = { into: input.into, branch: input.branch, squash, previous: intoTip, commit: intoTip, updatedWorktree: null };

    if (await isAncestor(root, branchTip, intoTip)) {
      return { ...base, status: 'already-merged', message: `Branch "${input.branch}" is already merged into "${input.into}"; nothing to do.` };
    }

    const mt = await repoGitResult(root, ['merge-tree', '--write-tree', '--name-only', '--no-messages', '-z', intoTip, branchTip], {
      okCodes: [1],
      hint: 'git 2.38 or newer is needed for merge-tree --write-tree.',
    });
    const [tree = '', ...rest] = mt.stdout.split('\0');
    if (mt.code === 1) {
      const paths = [...new Set(rest.filter((p) => p !== ''))];
      throw new PaddockError(ErrorCode.MergeConflict, `merging "${input.branch}" into "${input.into}" conflicts in ${paths.length} file(s): ${paths.join(', ')}`, {
        hint: `Nothing was changed. Resolve by hand (git switch ${input.into} && git merge ${input.branch}), or have the agent rebase its branch.`,
        details: { paths, branch: input.branch, into: input.into },
      });
    }
    const intoTree = (await repoGit(root, ['rev-parse', '--verify', `${intoTip}^{tree}`])).trim();
    await refuseOutsideSymlinks(root, intoTree, tree.trim(), input);
    if (tree.trim() === intoTree) {
      return { ...base, status: 'already-merged', message: `The changes of "${input.branch}" are already in "${input.into}"; nothing to do.` };
    }

    const message = input.message ?? (await defaultMessage(root, input.branch, input.into, intoTip, branchTip, squash));
    const parents = squash ? ['-p', intoTip] : ['-p', intoTip, '-p', branchTip];
    const commit = (await repoGit(root, ['commit-tree', tree.trim(), ...parents, '-F', '-'], { input: message, env: await identityEnv(root) })).trim();

    const worktree = await worktreeWithBranch(root, input.into);
    if (worktree === null) {
      const res = await repoGitResult(root, ['update-ref', '-m', `paddock: merge ${input.branch}`, `refs/heads/${input.into}`, commit, intoTip], { okCodes: [1, 128] });
      if (res.code !== 0) {
        throw new PaddockError(ErrorCode.Conflict, `branch "${input.into}" moved while merging; nothing was changed`, { hint: 'Retry the merge.', details: { stderr: res.stderr.trim() } });
      }
    } else {
      const dirty = await repoGit(worktree, ['status', '--porcelain=v1', '--untracked-files=no', '--ignore-submodules=dirty']);
      if (dirty.trim() !== '') {
        throw new PaddockError(ErrorCode.Conflict, `branch "${input.into}" is checked out in ${worktree} and it has uncommitted changes; nothing was changed`, {
          hint: `Commit or stash your changes in ${worktree} (git stash), then merge again.`,
          details: { worktree, status: dirty.trim().split('\n') },
        });
      }
      const res = await repoGitResult(worktree, ['merge', '--ff-only', '--quiet', '--no-stat', '--no-verify', commit], { okCodes: [1, 128] });
      if (res.code !== 0) {
        throw new PaddockError(ErrorCode.Conflict, `could not update the checked-out branch "${input.into}" in ${worktree}: ${res.stderr.trim().split('\n')[0] ?? ''}`, {
          hint: 'Move or remove the files git names (e.g. untracked files in the way), then merge again.',
          details: { worktree, stderr: res.stderr.trim() },
        });
      }
    }
    return {
      ...base,
      status: 'merged',
      commit,
      updatedWorktree: worktree,
      message: `Merged "${input.branch}" into "${input.into}"${squash ? ' (squashed)' : ''}: ${commit.slice(0, 12)}.`,
    };
  });
}

/**
 * Symlinks the merge would bring into the target that point outside the worktree: refused unless allowed. A link into
 * `.git` is refused even then: once in a worktree, anything that writes through it (an editor, a build, `git add`
 * of a generated file) writes the repository's own config or hooks, which git then runs.
 */
async function refuseOutsideSymlinks(root: string, fromTree: string, toTree: string, input: MergeInput): Promise<void> {
  const links = await outsideSymlinksBetween(root, fromTree, toTree);
  const intoGit = links.filter((l) => l.why === 'git');
  const list = (ls: typeof links) => ls.map((l) => `${l.path} -> ${l.target}`).join(', ');
  if (intoGit.length > 0) {
    throw new PaddockError(ErrorCode.Conflict, `branch "${input.branch}" has symlinks into .git, which are never merged: ${list(intoGit)}`, {
      hint: 'Nothing was changed. Remove the links from the branch (or merge by hand after inspecting them).',
      details: { symlinks: intoGit },
    });
  }
  if (links.length > 0 && input.allowOutsideSymlinks !== true) {
    throw new PaddockError(ErrorCode.Conflict, `branch "${input.branch}" has ${links.length} symlink(s) pointing outside the worktree: ${list(links)}`, {
      hint: 'Nothing was changed. Inspect them (paddock diff <id>); merge anyway with --allow-outside-symlinks.',
      details: { symlinks: links },
    });
  }
}

async function branchHead(root: string, name: string): Promise<string> {
  const res = await repoGitResult(root, ['rev-parse', '-q', '--verify', `refs/heads/${name}^{commit}`], { okCodes: [1, 128] });
  if (res.code !== 0 || res.stdout.trim() === '') {
    throw notFound(`branch "${name}" does not exist in ${root}`, `List branches with: git -C ${root} branch --list`);
  }
  return res.stdout.trim();
}

async function isAncestor(root: string, a: string, b: string): Promise<boolean> {
  return (await repoGitResult(root, ['merge-base', '--is-ancestor', a, b], { okCodes: [1] })).code === 0;
}

async function defaultMessage(root: string, branch: string, into: string, intoTip: string, branchTip: string, squash: boolean): Promise<string> {
  if (!squash) return `Merge branch '${branch}' into ${into}\n`;
  const log = await repoGit(root, ['log', '--no-color', '--reverse', '--max-count=50', '--format=* %s', `${intoTip}..${branchTip}`]);
  return `Squashed merge of branch '${branch}'\n\n${log.trim()}\n`;
}

/** The user's identity if git knows one, else Paddock's (commit-tree refuses to run without an identity). */
async function identityEnv(root: string): Promise<Record<string, string>> {
  const known = await repoGitResult(root, ['var', 'GIT_COMMITTER_IDENT'], { okCodes: [128] });
  const author = await repoGitResult(root, ['var', 'GIT_AUTHOR_IDENT'], { okCodes: [128] });
  const env: Record<string, string> = {};
  if (known.code !== 0) Object.assign(env, { GIT_COMMITTER_NAME: PADDOCK_IDENTITY.name, GIT_COMMITTER_EMAIL: PADDOCK_IDENTITY.email });
  if (author.code !== 0) Object.assign(env, { GIT_AUTHOR_NAME: PADDOCK_IDENTITY.name, GIT_AUTHOR_EMAIL: PADDOCK_IDENTITY.email });
  return env;
}

/** The worktree (main or linked) that has refs/heads/<name> checked out, or null. */
export async function worktreeWithBranch(root: string, name: string): Promise<string | null> {
  const out = await repoGit(root, ['worktree', 'list', '--porcelain', '-z']);
  let current: string | null = null;
  for (const line of out.split('\0')) {
    if (line.startsWith('worktree ')) current = line.slice('worktree '.length);
    else if (line === `branch refs/heads/${name}` && current !== null) return current;
    else if (line === '') current = null;
  }
  return null;
}

/** Where a run branch stands against the head Paddock left it at: gone, moved since, checked out somewhere, or as left. */
export async function runBranchState(repo: string, branch: string, expectedHead: string): Promise<'absent' | 'moved' | 'checked-out' | 'as-left'> {
  const root = (await inspectRepo(repo)).root;
  const res = await repoGitResult(root, ['rev-parse', '-q', '--verify', `refs/heads/${branch}`], { okCodes: [1, 128] });
  if (res.code !== 0 || res.stdout.trim() === '') return 'absent';
  if (res.stdout.trim() !== expectedHead) return 'moved';
  return (await worktreeWithBranch(root, branch)) === null ? 'as-left' : 'checked-out';
}

/** Whether commit is contained in branch (an ancestor of its tip, or the tip itself); false when the branch is missing. */
export async function isMergedInto(repo: string, commit: string, branch: string): Promise<boolean> {
  const root = (await inspectRepo(repo)).root;
  const tip = await repoGitResult(root, ['rev-parse', '-q', '--verify', `refs/heads/${branch}^{commit}`], { okCodes: [1, 128] });
  if (tip.code !== 0 || tip.stdout.trim() === '') return false;
  // 128: the commit is not in the repository (any more); then it is not merged either.
  return (await repoGitResult(root, ['merge-base', '--is-ancestor', commit, tip.stdout.trim()], { okCodes: [1, 128] })).code === 0;
}
