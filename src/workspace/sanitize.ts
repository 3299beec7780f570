/**
 * Rebuilding a run clone's `.git` after the agent had it: a whitelist, not a blacklist.
 *
 * Only three things survive from the agent's `.git`: the object files (regular files with object-like
 * names in loose dirs and `pack-*.pack`/`.idx`), and the sha its run branch pointed at. Everything else
 * (config, hooks, info/, commondir, gitdir, shallow, packed-refs, other refs, refs/replace, grafts,
 * worktrees, modules, logs, the index, FETCH_HEAD …) is dropped, and a fresh `.git` is assembled with the
 * known-good config, `HEAD -> refs/heads/<branch>`, and `objects/info/alternates` = exactly the user's
 * objects dir. Nothing planted is ever opened: entries are inspected with lstat, symlinks/FIFOs/devices
 * are removed, never followed. Must only run while the container is stopped (nothing races).
 */
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, PaddockError } from '../errors/index.ts';
import type { CheckoutRecord } from './checkout-record.ts';
import { knownGoodConfig, writeFresh } from './clone-config.ts';
import { cloneGitResult } from './git.ts';

export interface RebuildResult {
  /** The commit the run branch pointed at, if it was a valid commit; null if the agent removed or garbled it. */
  tip: string | null;
  /** What was found and removed or reset (relative paths, for the run's log). */
  neutralised: string[];
}

/** Thrown when the clone's structure was replaced so that following it could reach outside the clone. */
export function tamperedError(dir: string, what: string): PaddockError {
  return new PaddockError(ErrorCode.Conflict, `the run's checkout at ${dir} was tampered with: ${what}; its work was not brought back`, {
    hint: 'Inspect the checkout by hand (without running git in it) if you need its files; Paddock will not follow what the agent planted.',
    details: { dir, tampered: true, what },
  });
}

const MAX_REF_FILE = 4096;
const MAX_PACKED_REFS = 64 * 1024 * 1024;

export async function rebuildGitDir(dir: string, record: CheckoutRecord): Promise<RebuildResult> {
  const neutralised: string[] = [];
  const topStat = await fs.lstat(dir).catch(() => undefined);
  if (topStat === undefined || !topStat.isDirectory()) throw tamperedError(dir, 'the checkout directory is missing or not a real directory');

  const gitDir = path.join(dir, '.git');
  const gitStat = await fs.lstat(gitDir).catch(() => undefined);
  if (gitStat !== undefined && !gitStat.isDirectory()) {
    // A .git file ("gitdir: …") or symlink would redirect git elsewhere (e.g. into the user's repository). Remove the entry itself.
    await fs.rm(gitDir, { force: true });
    throw tamperedError(dir, `.git was replaced by ${describeKind(gitStat)}`);
  }

  let objectsFrom: string | undefined;
  let tip: string | null = null;
  if (gitStat === undefined) {
    neutralised.push('.git (missing: rebuilt from the base commit)');
  } else {
    const objStat = await fs.lstat(path.join(gitDir, 'objects')).catch(() => undefined);
    if (objStat !== undefined && !objStat.isDirectory()) {
      throw tamperedError(dir, `.git/objects was replaced by ${describeKind(objStat)}`);
    }
    if (objStat !== undefined) objectsFrom = path.join(gitDir, 'objects');
    else neutralised.push('.git/objects (missing)');
    tip = await readBranchTip(gitDir, record.branch, record.objectFormat);
  }

  const fresh = path.join(dir, `.git.paddock-${randomBytes(6).toString('hex')}`);
  await fs.mkdir(fresh, { mode: 0o755 });
  try {
    await fs.writeFile(path.join(fresh, 'HEAD'), `ref: refs/heads/${record.branch}\n`, { flag: 'wx' });
    await fs.writeFile(path.join(fresh, 'config'), knownGoodConfig(record.objectFormat), { flag: 'wx' });
    await fs.mkdir(path.join(fresh, 'refs', 'heads'), { recursive: true });
    await fs.mkdir(path.join(fresh, 'refs', 'tags'), { recursive: true });
    const objects = path.join(fresh, 'objects');
    if (objectsFrom !== undefined) {
      await fs.rename(objectsFrom, objects);
      await cleanObjectsDir(objects, record.objectFormat, `${record.objectsDir}\n`, neutralised);
    } else {
      await fs.mkdir(objects);
    }
    await writeFresh(path.join(objects, 'info', 'alternates'), `${record.objectsDir}\n`);
    await fs.mkdir(path.join(objects, 'pack'), { recursive: true });

    if (gitStat !== undefined) {
      neutralised.push(...(await listDropped(gitDir, record.objectFormat)));
      await fs.rm(gitDir, { recursive: true, force: true });
    }
    await fs.rename(fresh, gitDir);
  } catch (err) {
    await fs.rm(fresh, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }

  if (tip !== null) {
    const kind = await cloneGitResult(dir, ['cat-file', '-t', tip], { okCodes: [1, 128] });
    if (kind.code !== 0 || kind.stdout.trim() !== 'commit') {
      neutralised.push(`refs/heads/${record.branch} (pointed at ${tip}, which is not a commit here)`);
      tip = null;
    }
  } else if (gitStat !== undefined) {
    neutralised.push(`refs/heads/${record.branch} (missing or unreadable)`);
  }
  return { tip, neutralised };
}

function describeKind(st: Stats): string {
  if (st.isSymbolicLink()) return 'a symlink';
  if (st.isFile()) return 'a file';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return 'something that is not a directory';
}

function hexLength(format: 'sha1' | 'sha256'): number {
  return format === 'sha256' ? 64 : 40;
}

/** Reads a file under `base` by relative path, refusing (returning undefined) if any component is a symlink or the file is not regular. */
async function readRegularNoFollow(base: string, rel: string, maxBytes: number): Promise<string | undefined> {
  let cur = base;
  const parts = rel.split('/');
  for (let i = 0; i < parts.length; i++) {
    cur = path.join(cur, parts[i] as string);
    const st = await fs.lstat(cur).catch(() => undefined);
    if (st === undefined) return undefined;
    const last = i === parts.length - 1;
    if (last ? !st.isFile() : !st.isDirectory()) return undefined;
    if (last && st.size > maxBytes) return undefined;
  }
  return fs.readFile(cur, 'utf8');
}

/** The sha the branch points at in the agent's `.git` (loose ref, else packed-refs); symrefs and junk count as missing. */
async function readBranchTip(gitDir: string, branch: string, format: 'sha1' | 'sha256'): Promise<string | null> {
  const hex = new RegExp(`^[0-9a-f]{${hexLength(format)}}$`);
  const loose = await readRegularNoFollow(gitDir, `refs/heads/${branch}`, MAX_REF_FILE);
  if (loose !== undefined) {
    const sha = loose.trim();
    return hex.test(sha) ? sha : null;
  }
  const packed = await readRegularNoFollow(gitDir, 'packed-refs', MAX_PACKED_REFS);
  if (packed === undefined) return null;
  for (const line of packed.split('\n')) {
    const m = /^([0-9a-f]+) (.+)$/.exec(line);
    if (m !== null && m[2] === `refs/heads/${branch}` && hex.test(m[1] as string)) return m[1] as string;
  }
  return null;
}

/** Keeps only regular object files with object-like names; removes everything else (info/, symlinks, FIFOs, stray files). */
async function cleanObjectsDir(objects: string, format: 'sha1' | 'sha256', expectedAlternates: string, neutralised: string[]): Promise<void> {
  const restLen = hexLength(format) - 2;
  const looseName = new RegExp(`^[0-9a-f]{${restLen}}$`);
  const packName = new RegExp(`^pack-[0-9a-f]{${hexLength(format)}}\\.(pack|idx)$`);
  const drop = async (p: string, why: string): Promise<void> => {
    neutralised.push(`${path.relative(path.dirname(objects), p)} (${why})`);
    await fs.rm(p, { recursive: true, force: true });
  };
  for (const entry of await fs.readdir(objects, { withFileTypes: true })) {
    const p = path.join(objects, entry.name);
    if (/^[0-9a-f]{2}$/.test(entry.name) && entry.isDirectory()) {
      for (const obj of await fs.readdir(p, { withFileTypes: true })) {
        if (!(obj.isFile() && looseName.test(obj.name))) await drop(path.join(p, obj.name), obj.isSymbolicLink() ? 'symlink' : 'not an object file');
      }
    } else if (entry.name === 'pack' && entry.isDirectory()) {
      for (const f of await fs.readdir(p, { withFileTypes: true })) {
        if (!(f.isFile() && packName.test(f.name))) {
          // Derived files (bitmaps, .rev, .keep, multi-pack-index, temp packs) are not needed; git rebuilds what it wants.
          if (f.isSymbolicLink() || !f.isFile()) await drop(path.join(p, f.name), f.isSymbolicLink() ? 'symlink' : 'not a regular file');
          else await fs.rm(path.join(p, f.name), { force: true });
        }
      }
    } else if (entry.name === 'info' && entry.isDirectory()) {
      // Rebuilt by the caller with exactly one line. Report anything beyond the alternates Paddock wrote.
      const alternates = await readRegularNoFollow(p, 'alternates', 1024 * 1024);
      if (alternates !== expectedAlternates) neutralised.push("objects/info/alternates (reset to the user's objects dir)");
      for (const n of await fs.readdir(p)) if (n !== 'alternates') neutralised.push(`objects/info/${n} (removed)`);
      await fs.rm(p, { recursive: true, force: true });
    } else {
      await drop(p, entry.isSymbolicLink() ? 'symlink' : 'not kept');
    }
  }
}

/** The entries of the agent's `.git` that the fresh one does not carry over (for the run's report); refs, logs and the index are routine. */
async function listDropped(gitDir: string, format: 'sha1' | 'sha256'): Promise<string[]> {
  const routine = new Set(['HEAD', 'refs', 'logs', 'index', 'packed-refs', 'ORIG_HEAD', 'COMMIT_EDITMSG']);
  const out: string[] = [];
  for (const entry of await fs.readdir(gitDir, { withFileTypes: true })) {
    const name = entry.name;
    if (name === 'objects') continue;
    if (entry.isSymbolicLink()) {
      out.push(`.git/${name} (symlink, removed)`);
    } else if (name === 'config' && entry.isFile()) {
      const text = await readRegularNoFollow(gitDir, 'config', 1024 * 1024);
      if (text !== knownGoodConfig(format)) out.push('.git/config (reset to the known-good config)');
    } else if ((name === 'hooks' || name === 'info') && entry.isDirectory()) {
      for (const n of await fs.readdir(path.join(gitDir, name))) out.push(`.git/${name}/${n} (removed)`);
    } else if (!(routine.has(name) && (entry.isFile() || entry.isDirectory()))) {
      out.push(`.git/${name} (removed)`);
    }
  }
  const replace = await fs.lstat(path.join(gitDir, 'refs', 'replace')).catch(() => undefined);
  if (replace !== undefined) out.push('.git/refs/replace (removed)');
  return out;
}
