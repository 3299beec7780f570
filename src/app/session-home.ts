/**
 * The agent CLIs' state in a session's HOME volume, generically: which trees survive from run to run (the
 * conversations a resume reads, named by each adapter's keepInHome) and the files Paddock writes there at each
 * start (a CLI's headless settings). Runs on the host as root over an agent-written tree: nothing here follows a
 * symlink (lstat; rm removes a link, never its target; files are created with O_EXCL after the old entry is gone).
 */
import { chmod, lstat, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** '.gemini/tmp/*\/chats' → ['.gemini', 'tmp', '*', 'chats']; refuses '..', '.', empty and absolute segments. */
export function keepSegments(path: string): string[] {
  const segs = path.split('/');
  if (segs.some((s) => s === '' || s === '.' || s === '..')) throw new Error(`bad session HOME path ${JSON.stringify(path)}`);
  return segs;
}

/** The names at HOME's top level that lead to a kept tree. */
export function keptRoots(keep: readonly string[]): Set<string> {
  return new Set(keep.map((k) => keepSegments(k)[0] ?? ''));
}

/**
 * Below HOME's top-level names that lead to a kept tree: removes every entry not on a kept path, and inside a kept
 * tree keeps plain files (0600) and directories (0700) only. Returns how many entries it removed.
 */
export async function pruneKept(root: string, keep: readonly string[]): Promise<number> {
  let removed = 0;
  const drop = async (path: string) => {
    await rm(path, { recursive: true, force: true });
    removed++;
  };
  const walk = async (dir: string): Promise<void> => {
    await chmod(dir, 0o700);
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      const e = await lstat(path);
      if (e.isDirectory()) await walk(path);
      // Plain files, never executable, no setuid; links, FIFOs, sockets and devices go.
      else if (e.isFile()) await chmod(path, 0o600);
      else await drop(path);
    }
  };
  /** dir is a real directory on the way to (or in) kept trees; rests: what each pattern still has to match below it. */
  const prune = async (dir: string, rests: string[][]): Promise<void> => {
    if (rests.some((r) => r.length === 0)) return walk(dir);
    await chmod(dir, 0o700);
    for (const name of await readdir(dir)) {
      const path = join(dir, name);
      const next = rests.filter((r) => r[0] === '*' || r[0] === name).map((r) => r.slice(1));
      const e = await lstat(path);
      if (next.length === 0 || !e.isDirectory()) await drop(path);
      else await prune(path, next);
    }
  };
  const patterns = keep.map(keepSegments);
  for (const top of keptRoots(keep)) {
    const path = join(root, top);
    const e = await lstat(path).catch(() => undefined);
    if (!e) continue;
    if (!e.isDirectory()) await drop(path);
    else
      await prune(
        path,
        patterns.filter((p) => p[0] === top).map((p) => p.slice(1)),
      );
  }
  return removed;
}

/**
 * Writes Paddock's files into HOME (after the reset): parents made as real directories (0700), each file 0600,
 * whatever was at its path removed first and the file created exclusively, so a planted link is never written through.
 */
export async function writeHomeFiles(root: string, files: Readonly<Record<string, string>>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const segs = keepSegments(rel);
    let dir = root;
    for (const s of segs.slice(0, -1)) {
      dir = join(dir, s);
      const e = await lstat(dir).catch(() => undefined);
      if (e && !e.isDirectory()) await rm(dir, { recursive: true, force: true });
      if (!e || !e.isDirectory()) await mkdir(dir, { mode: 0o700 });
    }
    const path = join(dir, segs.at(-1) ?? '');
    await rm(path, { recursive: true, force: true });
    await writeFile(path, content, { flag: 'wx', mode: 0o600 });
  }
}
