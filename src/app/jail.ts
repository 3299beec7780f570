/**
 * The jail's host side for one run: its own agent identity (a UID and GID no host account has, different from every
 * other live run's), its run directory private to Paddock, its session HOME reset and handed to that identity, and
 * its workspace handed back to the host when the run ends, whichever way it ends.
 */
import { execFile } from 'node:child_process';
import { chmod, lstat, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { LIVE_STATES, type Run } from '../jobs/index.ts';
import { type AgentIdentity, type ContainerRuntime, IN_CONTAINER, writeIdentityFiles } from '../runtime/index.ts';
import { RunIdentitiesRepo } from '../store/run-identities-repo.ts';
import { chownTree, currentOwner } from '../workspace/ownership.ts';
import type { Paddock } from './context.ts';
import { sessionHomeKeep } from './agents.ts';
import { keptRoots, pruneKept, writeHomeFiles } from './session-home.ts';

/** The run's agent identity (allocated on first call, the same one after a daemon restart) with its passwd/group files. */
export function runIdentity(p: Paddock, run: Pick<Run, 'id' | 'runDir'>): AgentIdentity {
  const { uid, gid } = new RunIdentitiesRepo(p.db).allocate(run.id, LIVE_STATES);
  return writeIdentityFiles(join(run.runDir, 'identity'), uid, gid, IN_CONTAINER.home);
}

/** The run's identity if it has one (a run that never left the queue has none). */
export function storedIdentity(p: Paddock, runId: string): { uid: number; gid: number } | undefined {
  return new RunIdentitiesRepo(p.db).get(runId);
}

/** The run's directory (its checkout, relay sockets, token-bearing files) is Paddock's alone: 0700, as is runs/. */
export async function sealRunDir(runDir: string): Promise<void> {
  await mkdir(runDir, { recursive: true, mode: 0o700 });
  await chmod(runDir, 0o700);
  await chmod(join(runDir, '..'), 0o700);
}

/** The directory the run's sockets live in: the run identity's, 0700 (mounted read-only at /run/paddock). */
export async function sealRelayDir(dir: string, identity: { uid: number; gid: number }): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  await chownTree(dir, identity.uid, identity.gid);
}

/**
 * Takes a mounted directory for the run: its owner is recorded (it gets it back at the end) and the tree is handed
 * to the run's identity, the only one the agent has.
 */
export async function takeMountedDir(p: Paddock, run: Pick<Run, 'id'>, dir: string, identity: { uid: number; gid: number }): Promise<void> {
  const repo = new RunIdentitiesRepo(p.db);
  if (repo.get(run.id)?.ownerUid == null) {
    const st = await stat(dir);
    repo.setOwner(run.id, st.uid, st.gid);
  }
  await chownTree(dir, identity.uid, identity.gid);
}

/**
 * Hands what the agent could write back to the host when the run ends (every way it ends: completed, failed,
 * stopped, crashed, adopted after a daemon died): a mounted directory to the owner it had, a scratch directory to
 * Paddock. chown clears setuid and setgid bits. A clone is taken back by finalize (workspace/finalize.ts) the same way.
 */
export async function releaseWorkspace(p: Paddock, run: Pick<Run, 'id' | 'workspace' | 'repo'>): Promise<void> {
  if (run.workspace === 'clone') return;
  const owner = new RunIdentitiesRepo(p.db).get(run.id);
  if (!owner) return;
  const host = currentOwner();
  // A scratch directory may already be gone (rm, gc).
  if (!(await lstat(run.repo).catch(() => undefined))) return;
  if (run.workspace === 'mount') await chownTree(run.repo, owner.ownerUid ?? host.uid, owner.ownerGid ?? host.gid);
  else await chownTree(run.repo, host.uid, host.gid);
}

/**
 * What survives from one run of a session to the next in its HOME: the conversation (~/.claude/projects, what
 * `--resume` reads; ~/.gemini/tmp/<project>/chats, what gemini -r reads: each adapter's keepInHome), as plain
 * files and directories. Everything else the agent left there is removed at each run
 * start: Claude's settings and hooks, ~/.claude.json (MCP servers), plugins, shell snapshots, shell rc files,
 * ~/.gitconfig and ~/.config/git (hooksPath), anything else (~/.local too, unless keepLocal: a session with lifecycle
 * hooks keeps the environment its on_create made there). Runs on the host as root over an agent-written tree:
 * nothing here follows a symlink (lstat, and rm removes a link, never its target).
 */
export async function resetSessionHome(root: string, opts: { keepLocal?: boolean; keep?: readonly string[] } = {}): Promise<{ removed: number }> {
  let removed = 0;
  const drop = async (path: string) => {
    await rm(path, { recursive: true, force: true });
    removed++;
  };
  const st = await lstat(root);
  if (!st.isDirectory()) throw new Error(`session HOME ${root} is not a directory`);
  const keep = opts.keep ?? sessionHomeKeep();
  const roots = keptRoots(keep);
  for (const name of await readdir(root)) {
    if (roots.has(name)) continue;
    // A session with lifecycle hooks keeps ~/.local (what its on_create installed: docs/hooks.md), a real directory only.
    if (name === '.local' && opts.keepLocal && (await lstat(join(root, name))).isDirectory()) continue;
    await drop(join(root, name));
  }
  // Inside the CLIs' folders, only the conversations (each adapter's keepInHome: app/session-home.ts).
  removed += await pruneKept(root, keep);
  return { removed };
}

/** Resets the session's HOME volume and hands it to the run's identity, before the container is made. */
export async function prepareSessionHome(
  runtime: ContainerRuntime,
  volume: string,
  identity: { uid: number; gid: number },
  opts: { keepLocal?: boolean; files?: Readonly<Record<string, string>> } = {},
): Promise<{ removed: number }> {
  const root = await runtime.volumeMountpoint(volume);
  if (!root) throw new Error(`the session HOME volume ${volume} has no mount point on this host`);
  const r = await resetSessionHome(root, opts);
  // The CLI's headless settings, Paddock's, written after the reset (what the agent left there is gone).
  if (opts.files) await writeHomeFiles(root, opts.files);
  await chownTree(root, identity.uid, identity.gid);
  await chmod(root, 0o700);
  return r;
}

/**
 * What the run's /workspace and HOME take on disk together (blocks allocated: a sparse file counts what it uses), and
 * the run's budget. undefined while there is nothing to measure yet.
 */
export async function diskUsageOf(p: Paddock, runtime: ContainerRuntime, run: Pick<Run, 'workspace' | 'repo' | 'checkoutDir' | 'sessionId'>): Promise<{ bytes: number; budget: number } | undefined> {
  const workspace = run.workspace === 'clone' ? run.checkoutDir : run.repo;
  const session = p.sessions.get(run.sessionId);
  const home = session ? await runtime.volumeMountpoint(session.volume).catch(() => undefined) : undefined;
  const dirs = [workspace, home].filter((d): d is string => typeof d === 'string' && d !== '');
  if (dirs.length === 0) return undefined;
  const bytes = await du(dirs);
  return { bytes, budget: p.config.diskBudget };
}

/** `du -scxB1`: bytes allocated under the directories, never following a symlink or leaving their filesystem. */
function du(dirs: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile('du', ['-s', '-c', '-x', '-B1', '--', ...dirs], { encoding: 'utf8', timeout: 120_000, maxBuffer: 1024 * 1024 }, (err, stdout) => {
      // du exits 1 when a file vanished while it counted: the total is still good.
      const total = /^(\d+)\s+total$/m.exec(stdout);
      if (total) return resolve(Number(total[1]));
      reject(err ?? new Error(`du printed no total: ${stdout.slice(0, 200)}`));
    });
  });
}
