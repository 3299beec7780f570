/** Finding out what a user-supplied path is: which repository, where its objects live, what HEAD is. */
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, PaddockError, invalidInput } from '../errors/index.ts';
import { repoGit, repoGitResult } from './git.ts';

export interface RepoInfo {
  /** Top level of the working tree (real path). */
  root: string;
  /** This working tree's git dir (differs from commonDir in a linked worktree). */
  gitDir: string;
  /** The repository's common git dir (refs, config, objects live here). */
  commonDir: string;
  /** The repository's objects dir: run clones borrow from it (mounted read-only into containers). */
  objectsDir: string;
  /** Object dirs the repository itself borrows from (its own alternates, transitively); they must be readable too. */
  alternateObjectDirs: string[];
  /** Checked-out branch (short name), or null when HEAD is detached. */
  currentBranch: string | null;
  /** The commit HEAD points at, or null in a repository with no commits yet. */
  head: string | null;
  objectFormat: 'sha1' | 'sha256';
}

/** Resolves a path to the repository it belongs to. Throws INVALID_INPUT for a missing path, a non-repository or a bare repository. */
export async function inspectRepo(repoPath: string): Promise<RepoInfo> {
  const abs = path.resolve(repoPath);
  let st: Stats;
  try {
    st = await fs.stat(abs);
  } catch {
    throw invalidInput(`repo path ${abs} does not exist`, 'Pass the path of an existing git repository.');
  }
  if (!st.isDirectory()) throw invalidInput(`repo path ${abs} is not a directory`, 'Pass the directory of a git repository, not a file in it.');

  const probe = await repoGitResult(abs, ['rev-parse', '--is-bare-repository', '--is-inside-work-tree'], { okCodes: [128] });
  if (probe.code !== 0) {
    if (/dubious ownership/i.test(probe.stderr)) {
      throw new PaddockError(ErrorCode.InvalidInput, `repo path ${abs} is owned by another user, so git refuses to use it`, {
        hint: `If you trust it, run: git config --global --add safe.directory ${abs}`,
        details: { stderr: probe.stderr.trim() },
      });
    }
    throw new PaddockError(ErrorCode.InvalidInput, `repo path ${abs} is not a git repository`, {
      hint: `Create one with: git init ${abs} (and make a first commit)`,
      details: { stderr: probe.stderr.trim() },
    });
  }
  const [bare, inside] = probe.stdout.trim().split('\n');
  if (bare === 'true') {
    throw invalidInput(`repo path ${abs} is a bare repository; Paddock needs a repository with a working tree`, 'Point Paddock at a normal (non-bare) clone, e.g. git clone <bare> <dir>.');
  }
  if (inside !== 'true') {
    throw invalidInput(`repo path ${abs} is inside a .git directory, not a working tree`, 'Pass the top-level directory of the repository.');
  }

  const out = await repoGit(abs, ['rev-parse', '--path-format=absolute', '--show-toplevel', '--absolute-git-dir', '--git-common-dir', '--git-path', 'objects', '--show-object-format']);
  const [root, gitDir, commonDir, objectsDir, objectFormat] = out.trim().split('\n');
  if (root === undefined || gitDir === undefined || commonDir === undefined || objectsDir === undefined) {
    throw new PaddockError(ErrorCode.GitFailed, `could not read the layout of repository ${abs}`, { details: { output: out } });
  }
  const realObjects = await fs.realpath(objectsDir);
  const headOut = await repoGitResult(abs, ['rev-parse', '-q', '--verify', 'HEAD^{commit}'], { okCodes: [1, 128] });
  const branchOut = await repoGitResult(abs, ['symbolic-ref', '-q', '--short', 'HEAD'], { okCodes: [1, 128] });
  return {
    root: await fs.realpath(root),
    gitDir: await fs.realpath(gitDir),
    commonDir: await fs.realpath(commonDir),
    objectsDir: realObjects,
    alternateObjectDirs: await readAlternatesChain(realObjects),
    currentBranch: branchOut.code === 0 && branchOut.stdout.trim() !== '' ? branchOut.stdout.trim() : null,
    head: headOut.code === 0 && headOut.stdout.trim() !== '' ? headOut.stdout.trim() : null,
    objectFormat: objectFormat === 'sha256' ? 'sha256' : 'sha1',
  };
}

/** Every object dir reachable through objects/info/alternates from `objectsDir` (not including itself). */
async function readAlternatesChain(objectsDir: string): Promise<string[]> {
  const seen = new Set<string>([objectsDir]);
  const result: string[] = [];
  const queue = [objectsDir];
  while (queue.length > 0 && seen.size < 64) {
    const dir = queue.shift() as string;
    let text: string;
    try {
      text = await fs.readFile(path.join(dir, 'info', 'alternates'), 'utf8');
    } catch {
      continue;
    }
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) continue;
      let alt = path.resolve(dir, line);
      try {
        alt = await fs.realpath(alt);
      } catch {
        continue;
      }
      if (seen.has(alt)) continue;
      seen.add(alt);
      result.push(alt);
      queue.push(alt);
    }
  }
  return result;
}

/** Resolves `ref` (default HEAD) in the repository to a commit sha. */
export async function resolveBase(repo: string | RepoInfo, ref?: string): Promise<string> {
  const info = typeof repo === 'string' ? await inspectRepo(repo) : repo;
  const wanted = ref === undefined || ref.trim() === '' ? 'HEAD' : ref.trim();
  if (info.head === null && wanted === 'HEAD') {
    throw invalidInput(`repository ${info.root} has no commits yet, so there is nothing to start a run from`, 'Make a first commit (git commit), then try again.');
  }
  if (wanted.startsWith('-') || /[\0\n]/.test(wanted)) {
    throw invalidInput(`base "${wanted}" is not a valid revision`, `List branches with: git -C ${info.root} branch --list`);
  }
  const res = await repoGitResult(info.root, ['rev-parse', '-q', '--verify', '--end-of-options', `${wanted}^{commit}`], { okCodes: [1, 128] });
  const sha = res.stdout.trim();
  if (res.code !== 0 || sha === '') {
    throw invalidInput(`unknown base "${wanted}" in repository ${info.root}`, `Use a branch, tag or commit that exists; list branches with: git -C ${info.root} branch --list`);
  }
  return sha;
}
