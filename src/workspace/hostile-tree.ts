/**
 * The sweep of a brought-back tree before any host git command touches it: an lstat walk that never follows a
 * symlink and never opens a file. It removes what would make git block or read elsewhere (FIFOs, sockets, device
 * nodes; nested `.git` directories, files and links, which would have host git open another repository), and lists
 * what is left out of the commit (files above the size limit, sparse files) and symlinks that point outside the tree.
 * Must only run while the container is stopped (nothing races).
 */
import type { Dirent, Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface SweepOptions {
  /** Regular files larger than this are left out of the commit (bytes). */
  maxFileBytes: number;
}

export type RemovedKind = 'fifo' | 'socket' | 'char-device' | 'block-device' | 'nested-git';

export interface LeftOutFile {
  /** Relative to the tree's root, '/'-separated. */
  path: string;
  size: number;
  /** Bytes actually allocated on disk. */
  allocated: number;
  why: 'too-large' | 'sparse';
  /** Set when the agent had committed it: its commit (the file was taken out of that commit's tree and those after). */
  inCommit?: string;
}

export interface OutsideSymlink {
  path: string;
  target: string;
  /** absolute: names a host path; escapes: climbs out with `..`; git: points into a `.git` (the repository's own config and hooks). */
  why: 'absolute' | 'escapes' | 'git';
}

export interface SweepResult {
  removed: { path: string; kind: RemovedKind }[];
  leftOut: LeftOutFile[];
  outsideSymlinks: OutsideSymlink[];
  entries: number;
}

/** Sparse: at least this big, and less than a quarter of it allocated on disk. */
const SPARSE_MIN_BYTES = 1024 * 1024;
const SPARSE_RATIO = 4;

/** Walks the tree at dir (its top-level `.git` excepted: sanitize.ts rebuilds that). */
export async function sweepTree(dir: string, opts: SweepOptions): Promise<SweepResult> {
  const result: SweepResult = { removed: [], leftOut: [], outsideSymlinks: [], entries: 0 };
  const stack: string[] = [''];
  while (stack.length > 0) {
    const rel = stack.pop() as string;
    const abs = rel === '' ? dir : path.join(dir, rel);
    let entries: Dirent[];
    try {
      entries = await fs.readdir(abs, { withFileTypes: true });
    } catch {
      continue; // vanished or unreadable: git will not read it either
    }
    for (const entry of entries) {
      result.entries++;
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const childAbs = path.join(abs, entry.name);
      if (entry.name === '.git') {
        if (rel === '') continue;
        await fs.rm(childAbs, { recursive: true, force: true });
        result.removed.push({ path: childRel, kind: 'nested-git' });
        continue;
      }
      const st: Stats | undefined = await fs.lstat(childAbs).catch(() => undefined);
      if (st === undefined) continue;
      const special = specialKind(st);
      if (special !== undefined) {
        await fs.rm(childAbs, { force: true });
        result.removed.push({ path: childRel, kind: special });
      } else if (st.isDirectory()) {
        stack.push(childRel);
      } else if (st.isSymbolicLink()) {
        const target = await fs.readlink(childAbs).catch(() => undefined);
        const why = target === undefined ? undefined : symlinkEscape(childRel, target);
        if (target !== undefined && why !== undefined) result.outsideSymlinks.push({ path: childRel, target, why });
      } else if (st.isFile()) {
        const allocated = st.blocks * 512;
        if (st.size >= SPARSE_MIN_BYTES && allocated * SPARSE_RATIO < st.size) result.leftOut.push({ path: childRel, size: st.size, allocated, why: 'sparse' });
        else if (st.size > opts.maxFileBytes) result.leftOut.push({ path: childRel, size: st.size, allocated, why: 'too-large' });
      }
    }
  }
  const byPath = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  result.removed.sort(byPath);
  result.leftOut.sort(byPath);
  result.outsideSymlinks.sort(byPath);
  return result;
}

function specialKind(st: Stats): RemovedKind | undefined {
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'char-device';
  if (st.isBlockDevice()) return 'block-device';
  return undefined;
}

/**
 * Whether a symlink at relPath (inside a tree) with this target points outside the tree: an absolute target, one
 * that climbs above the root with `..` (judged on the text, as git stores it), or one into a `.git` directory
 * (checked first: also by an absolute path, e.g. the user's own repository's).
 */
export function symlinkEscape(relPath: string, target: string): OutsideSymlink['why'] | undefined {
  const absolute = target.startsWith('/');
  const joined = absolute ? path.posix.normalize(target) : path.posix.normalize(path.posix.join(path.posix.dirname(relPath), target));
  // Into a .git anywhere (this worktree's or, by an absolute path, the user's own): its config and hooks run code.
  if (joined.split('/').some((part) => part.toLowerCase() === '.git')) return 'git';
  if (absolute) return 'absolute';
  if (joined === '..' || joined.startsWith('../')) return 'escapes';
  return undefined;
}
