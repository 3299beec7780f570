/**
 * Where a run works, when it is not a private clone: an empty scratch directory (nothing comes back), or a plain
 * directory mounted at /workspace as it is, allowed only under PADDOCK_WORKDIR_ROOTS. A clone stays the default: it
 * is what keeps the user's repository unwritable from a container, so a mount is refused for anything inside a git
 * repository and for anything holding (or inside) Paddock's own state.
 */
import { mkdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { ErrorCode, PaddockError, invalidInput } from '../errors/index.ts';
import type { Run } from '../jobs/index.ts';
import { IN_CONTAINER } from '../runtime/index.ts';
import { branchExists, inspectRepo } from '../workspace/index.ts';
import { chownTree } from '../workspace/ownership.ts';
import { takeMountedDir } from './jail.ts';
import { repoGitResult } from '../workspace/git.ts';
import type { Paddock } from './context.ts';

/** What a host path given as a run's working directory (Stromboli's `workdir`) turns into. */
export type WorkdirChoice =
  | { workspace: 'scratch' }
  /** With branch: the session continues on the branch its last run brought back (reuseBranch). */
  | { workspace: 'clone'; repo: string; branch?: string; reuseBranch?: boolean }
  | { workspace: 'mount'; repo: string };

/**
 * No workdir: scratch. A workdir inside a git repository: a private clone of that repository (and a branch), as
 * `paddock spawn` makes. A plain directory: mounted as it is, if it is under an allowed root; else refused.
 * `/workspace` that does not exist on this host is the container's own working directory (what Stromboli clients
 * send since 0.3.0, when workdir became a path inside the container): scratch too.
 */
export async function chooseWorkspace(p: Paddock, workdir: string | undefined, opts: { sessionId?: string } = {}): Promise<WorkdirChoice> {
  const w = workdir?.trim() ?? '';
  if (w === '') return { workspace: 'scratch' };
  if (w.includes('\0')) throw invalidInput('workdir must not contain NUL characters');
  if (!isAbsolute(w))
    throw invalidInput(
      `workdir "${w}" is not an absolute path`,
      'pass the absolute path of a directory on the Paddock host (a git repository, or a directory under PADDOCK_WORKDIR_ROOTS), or leave workdir out for an empty workspace',
    );
  const st = await stat(w).catch(() => undefined);
  if (!st) {
    if (resolve(w) === IN_CONTAINER.workspace) return { workspace: 'scratch' };
    throw invalidInput(`workdir ${w} does not exist on the Paddock host`, 'pass an existing directory (a git repository gets its own clone and branch), or leave workdir out for an empty workspace');
  }
  if (!st.isDirectory()) throw invalidInput(`workdir ${w} is not a directory`, 'pass a directory, not a file in it');
  if (await insideGitRepo(w)) return { workspace: 'clone', repo: w, ...(await continuedBranch(p, w, opts.sessionId)) };
  return { workspace: 'mount', repo: await mountableDir(p, w) };
}

/**
 * Checks that a plain directory may be mounted as a run's workspace, and returns its real path (symlinks resolved,
 * so a link under an allowed root cannot point elsewhere). Refused: no allowed roots, outside them, inside a git
 * repository (use a clone: a mount would make the repository's .git writable from the container), and anything that
 * holds Paddock's home or lies inside it (runs' tokens, checkouts and the database live there).
 */
export async function mountableDir(p: Paddock, dir: string): Promise<string> {
  const roots = p.config.workdirRoots;
  if (!isAbsolute(dir)) throw invalidInput(`the directory to mount, "${dir}", is not an absolute path`, 'pass an absolute path');
  const real = await realpath(dir).catch(() => {
    throw invalidInput(`the directory to mount, ${dir}, does not exist`, 'pass an existing directory');
  });
  if (!(await stat(real)).isDirectory()) throw invalidInput(`${dir} is not a directory`, 'pass a directory, not a file in it');
  // The engine reads a bind as host:container:options: a ':' or ',' in the path would change what is mounted how.
  if (/[:,\n\r]/.test(real)) throw invalidInput(`${real} contains ':', ',' or a line break, which a bind mount cannot carry`, 'rename the directory, or mount one without those characters');
  if (await insideGitRepo(real)) {
    throw invalidInput(`${dir} is inside a git repository: it is worked on in a private clone, never mounted`, 'use the clone workspace (the default): the run gets its own clone and branch');
  }
  if (roots.length === 0) {
    throw invalidInput(
      `workdir ${dir} is not in a git repository, and plain directories cannot be mounted: PADDOCK_WORKDIR_ROOTS is not set`,
      `make it a git repository (git init, then commit) so the run gets its own clone and branch, or allow mounting it as it is with PADDOCK_WORKDIR_ROOTS=${dir}`,
    );
  }
  const realRoots = await Promise.all(roots.map((r) => realpath(r).catch(() => r)));
  if (!realRoots.some((r) => within(real, r))) {
    throw invalidInput(
      `workdir ${dir} is not in a git repository and not under an allowed root (PADDOCK_WORKDIR_ROOTS: ${roots.join(', ')})`,
      'make it a git repository so the run gets its own clone, move it under an allowed root, or add its parent to PADDOCK_WORKDIR_ROOTS',
    );
  }
  const home = await realpath(p.config.home).catch(() => resolve(p.config.home));
  if (within(real, home) || within(home, real)) {
    throw invalidInput(`${dir} holds or is inside Paddock's home (${home}): it cannot be mounted into a container`, 'mount a directory outside PADDOCK_HOME');
  }
  return real;
}

/**
 * Makes a dequeued run's workspace directory when it is not a clone and returns it (the host path mounted at
 * /workspace). Scratch: an empty directory under the run's dir, handed to the container user. Mount: the directory
 * is checked again, since it may have been swapped for a symlink while the run was queued.
 */
export async function prepareWorkspaceDir(p: Paddock, run: Pick<Run, 'id' | 'workspace' | 'repo' | 'runDir'>, identity: { uid: number; gid: number }): Promise<string> {
  if (run.workspace === 'scratch') {
    const dir = scratchDirOf(run.runDir);
    await mkdir(dir, { recursive: true, mode: 0o755 });
    await chownTree(dir, identity.uid, identity.gid);
    return dir;
  }
  if (run.workspace === 'mount') {
    const real = await mountableDir(p, run.repo);
    if (real !== run.repo) throw new PaddockError(ErrorCode.Conflict, `${run.repo} now resolves to ${real}: it changed since the run was accepted`, { hint: 'start the run again' });
    // The agent writes as the run's identity: the directory is its for the run, and its owner's again at the end.
    await takeMountedDir(p, run, real, identity);
    return real;
  }
  throw new Error(`run workspace ${run.workspace} is a clone: it is made by createRunCheckout`);
}

/**
 * A conversation continued on the same repository continues on its branch: its last run's work is there (a new
 * clone of HEAD would not have it). Only a branch that run brought back and that still exists.
 */
async function continuedBranch(p: Paddock, dir: string, sessionId: string | undefined): Promise<{ branch?: string; reuseBranch?: boolean }> {
  const session = sessionId ? p.sessions.get(sessionId.toLowerCase()) : undefined;
  const last = session?.lastRunId ? p.runs.get(session.lastRunId) : undefined;
  if (!last || last.workspace !== 'clone' || !last.bringBack || last.headSha === null) return {};
  const root = (await inspectRepo(dir)).root;
  if (root !== last.repo || !(await branchExists(root, last.branch))) return {};
  return { branch: last.branch, reuseBranch: true };
}

/** The scratch workspace of a run: `<runDir>/src`, where a clone would be (so gc and rm find and remove it). */
export const scratchDirOf = (runDir: string): string => join(runDir, 'src');

/** Whether path is dir itself or below it (both real, absolute paths). */
function within(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/** Whether a directory is in a git repository (its work tree, or its .git): git says so, not a search for `.git`. */
async function insideGitRepo(dir: string): Promise<boolean> {
  const r = await repoGitResult(dir, ['rev-parse', '--git-dir'], { okCodes: [128] });
  // 128 with "dubious ownership" is a repository too (someone else's): inspectRepo then says what to do.
  return r.code === 0 || /dubious ownership/i.test(r.stderr);
}
