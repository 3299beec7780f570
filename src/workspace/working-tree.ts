/**
 * The user's uncommitted work: what a run would leave out (it starts from a commit), and, when asked, a commit that
 * carries it. The snapshot is built with a throwaway index, so the user's index, HEAD and files are not touched;
 * only new objects land in their object store (as `git stash create` does). Ignored files are never included.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PADDOCK_IDENTITY } from './clone-config.ts';
import { repoGit } from './git.ts';

export interface WorkingTreeChanges {
  /** Tracked files changed (staged or not), deleted or renamed. */
  modified: number;
  /** Untracked files that are not ignored. */
  untracked: number;
  /** A few of the paths, for the message. */
  sample: string[];
}

export async function workingTreeChanges(root: string): Promise<WorkingTreeChanges> {
  const out = await repoGit(root, ['status', '--porcelain=v1', '-z', '--untracked-files=all', '--ignore-submodules=dirty']);
  const entries = out.split('\0').filter(Boolean);
  let modified = 0;
  let untracked = 0;
  const sample: string[] = [];
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] ?? '';
    const xy = e.slice(0, 2);
    if (xy === '??') untracked++;
    else modified++;
    if (sample.length < 5) sample.push(e.slice(3));
    if (xy[0] === 'R' || xy[0] === 'C') i++; // the rename's source path follows as its own entry
  }
  return { modified, untracked, sample };
}

export const hasChanges = (c: WorkingTreeChanges): boolean => c.modified + c.untracked > 0;

/**
 * A commit whose parent is `parent` (HEAD) and whose tree is the working tree as it is now: tracked changes and
 * untracked files that are not ignored. Returns the commit's sha.
 */
export async function snapshotWorkingTree(root: string, parent: string, message: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'paddock-index-'));
  const env = { GIT_INDEX_FILE: join(dir, 'index') };
  try {
    await repoGit(root, ['read-tree', parent], { env });
    await repoGit(root, ['add', '--all', '--', '.'], { env });
    const tree = (await repoGit(root, ['write-tree'], { env })).trim();
    const id = { GIT_AUTHOR_NAME: PADDOCK_IDENTITY.name, GIT_AUTHOR_EMAIL: PADDOCK_IDENTITY.email, GIT_COMMITTER_NAME: PADDOCK_IDENTITY.name, GIT_COMMITTER_EMAIL: PADDOCK_IDENTITY.email };
    return (await repoGit(root, ['commit-tree', tree, '-p', parent, '-m', message], { env: id })).trim();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
