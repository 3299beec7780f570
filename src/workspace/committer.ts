/**
 * The agent's commits get Paddock as committer: each commit of base..tip is rewritten with the same tree, author,
 * message and encoding, its parents mapped to the rewritten ones, and `committer Paddock <…> <now>`; signatures are
 * dropped (they signed the old object). What the agent claimed stays visible as the author, and is checked
 * (authorFlags) against the agent's identity and the run's time.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AGENT_IDENTITY, PADDOCK_IDENTITY } from './clone-config.ts';
import { cloneGit, cloneGitBuffer } from './git.ts';

export interface RestampResult {
  head: string;
  rewritten: number;
  /** Files the agent committed above the size limit, taken out of its commits (path, size, the agent's commit). */
  leftOut: { path: string; size: number; commit: string }[];
}

const DROPPED_HEADERS = new Set(['gpgsig', 'gpgsig-sha256', 'mergetag']);

/** Rewrites base..tip with Paddock as committer; a commit already committed by Paddock on unchanged parents is kept. */
export async function restampCommits(dir: string, base: string, tip: string, format: 'sha1' | 'sha256', opts: { now?: number; maxBlobBytes?: number } = {}): Promise<RestampResult> {
  const now = opts.now ?? Date.now();
  const list = (await cloneGit(dir, ['rev-list', '--reverse', '--topo-order', `${base}..${tip}`])).split('\n').filter((l) => l !== '');
  if (list.length === 0) return { head: tip, rewritten: 0, leftOut: [] };
  // Files committed above the limit are taken out of the agent's trees (they would reach the user's repository).
  const big = opts.maxBlobBytes === undefined ? new Map<string, number>() : await bigBlobs(dir, base, tip, opts.maxBlobBytes);
  const trees = new Map<string, string>();
  const leftOut = new Map<string, { path: string; size: number; commit: string }>();
  const raw = await cloneGitBuffer(dir, ['cat-file', '--batch'], { input: `${list.join('\n')}\n` });
  const bodies = parseBatch(raw);
  const committer = `committer ${PADDOCK_IDENTITY.name} <${PADDOCK_IDENTITY.email}> ${Math.floor(now / 1000)} +0000`;
  const map = new Map<string, string>();
  const pending: { sha: string; body: Buffer }[] = [];
  for (const old of list) {
    const body = bodies.get(old);
    if (body === undefined) throw new Error(`commit ${old} could not be read`);
    let tree: string | undefined;
    if (big.size > 0) {
      const current = /^tree ([0-9a-f]+)$/m.exec(body.subarray(0, body.indexOf('\n\n')).toString('latin1'))?.[1];
      if (current !== undefined) {
        let cleaned = trees.get(current);
        if (cleaned === undefined) {
          cleaned = await dropBlobs(dir, current, big, old, leftOut);
          trees.set(current, cleaned);
        }
        if (cleaned !== current) tree = cleaned;
      }
    }
    const next = rewrite(body, map, committer, tree);
    if (next === undefined) {
      map.set(old, old);
      continue;
    }
    const sha = objectId(format, next);
    map.set(old, sha);
    pending.push({ sha, body: next });
  }
  if (pending.length > 0) await writeCommits(dir, pending);
  return { head: map.get(tip) ?? tip, rewritten: pending.length, leftOut: [...leftOut.values()] };
}

/** Blobs of base..tip larger than max: sha → size. */
async function bigBlobs(dir: string, base: string, tip: string, max: number): Promise<Map<string, number>> {
  const objects = await cloneGit(dir, ['rev-list', '--objects', '--no-object-names', `${base}..${tip}`]);
  const out = new Map<string, number>();
  if (objects.trim() === '') return out;
  const check = await cloneGit(dir, ['cat-file', '--batch-check=%(objectname) %(objecttype) %(objectsize)'], { input: objects });
  for (const line of check.split('\n')) {
    const [sha = '', type = '', size = ''] = line.split(' ');
    if (type === 'blob' && Number(size) > max) out.set(sha, Number(size));
  }
  return out;
}

/** The tree without the entries whose blob is in big (through a throwaway index); the tree itself when none is. */
async function dropBlobs(dir: string, tree: string, big: Map<string, number>, commit: string, leftOut: Map<string, { path: string; size: number; commit: string }>): Promise<string> {
  const entries = (await cloneGit(dir, ['ls-tree', '-r', '-z', '--full-tree', tree])).split('\0');
  const drop: string[] = [];
  for (const entry of entries) {
    const m = /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(entry);
    const size = m === null ? undefined : big.get(m[1] as string);
    if (m === null || size === undefined) continue;
    drop.push(m[2] as string);
    if (!leftOut.has(m[2] as string)) leftOut.set(m[2] as string, { path: m[2] as string, size, commit });
  }
  if (drop.length === 0) return tree;
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'paddock-index-'));
  try {
    const env = { GIT_INDEX_FILE: path.join(tmp, 'index') };
    await cloneGit(dir, ['read-tree', tree], { env });
    await cloneGit(dir, ['update-index', '--force-remove', '-z', '--stdin'], { env, input: `${drop.join('\0')}\0` });
    return (await cloneGit(dir, ['write-tree'], { env })).trim();
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/** The commit with mapped parents and Paddock's committer line, or undefined when it needs no change. */
function rewrite(body: Buffer, map: Map<string, string>, committer: string, tree?: string): Buffer | undefined {
  const end = body.indexOf('\n\n');
  const headerText = (end === -1 ? body : body.subarray(0, end)).toString('latin1');
  const message = end === -1 ? Buffer.alloc(0) : body.subarray(end);
  const out: string[] = [];
  let changed = false;
  let dropping = false;
  for (const line of headerText.split('\n')) {
    if (line.startsWith(' ')) {
      if (!dropping) out.push(line);
      continue;
    }
    const key = line.slice(0, line.indexOf(' ') === -1 ? line.length : line.indexOf(' '));
    dropping = DROPPED_HEADERS.has(key);
    if (dropping) {
      changed = true;
    } else if (key === 'tree' && tree !== undefined) {
      changed = true;
      out.push(`tree ${tree}`);
    } else if (key === 'parent') {
      const old = line.slice(7);
      const mapped = map.get(old) ?? old;
      if (mapped !== old) changed = true;
      out.push(`parent ${mapped}`);
    } else if (key === 'committer') {
      const isPaddock = line.startsWith(`committer ${PADDOCK_IDENTITY.name} <${PADDOCK_IDENTITY.email}> `);
      if (!isPaddock) changed = true;
      out.push(isPaddock ? line : committer);
    } else {
      out.push(line);
    }
  }
  if (!changed) return undefined;
  return Buffer.concat([Buffer.from(out.join('\n'), 'latin1'), message]);
}

function objectId(format: 'sha1' | 'sha256', body: Buffer): string {
  return createHash(format === 'sha256' ? 'sha256' : 'sha1')
    .update(`commit ${body.length}\0`)
    .update(body)
    .digest('hex');
}

/** One `hash-object -w --stdin-paths` for all of them (git checks each commit's format); the ids must be the ones computed. */
async function writeCommits(dir: string, commits: { sha: string; body: Buffer }[]): Promise<void> {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'paddock-restamp-'));
  try {
    const paths: string[] = [];
    for (const [i, c] of commits.entries()) {
      const p = path.join(tmp, String(i));
      await fs.writeFile(p, c.body);
      paths.push(p);
    }
    const out = (await cloneGit(dir, ['hash-object', '-t', 'commit', '-w', '--stdin-paths'], { input: `${paths.join('\n')}\n` })).split('\n').filter((l) => l !== '');
    for (const [i, c] of commits.entries()) {
      if (out[i] !== c.sha) throw new Error(`rewritten commit ${i} was stored as ${out[i] ?? 'nothing'}, expected ${c.sha}`);
    }
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

/** `cat-file --batch` output: "<sha> <type> <size>\n<content>\n" per object. */
function parseBatch(raw: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let off = 0;
  while (off < raw.length) {
    const nl = raw.indexOf(0x0a, off);
    if (nl === -1) break;
    const [sha = '', type = '', size = ''] = raw.subarray(off, nl).toString('latin1').split(' ');
    if (type === 'missing' || size === '') {
      off = nl + 1;
      continue;
    }
    const n = Number(size);
    if (type === 'commit') out.set(sha, raw.subarray(nl + 1, nl + 1 + n));
    off = nl + 1 + n + 1;
  }
  return out;
}

export interface CommitFlag {
  sha: string;
  subject: string;
  author: string;
  authorDate: number;
  /** author: not the agent's identity (nor Paddock's); date: far from the run's time. */
  flags: ('author' | 'date')[];
}

/** How far an author date may lie outside the run's lifetime before it is flagged. */
const DATE_SLACK_MS = 60 * 60_000;

/** The commits of base..head whose claimed author is not the agent (or Paddock), or whose author date is far from the run's time. */
export async function authorFlags(dir: string, base: string, head: string, window: { from: number; to: number }): Promise<CommitFlag[]> {
  const out = await cloneGit(dir, ['log', '-z', '--no-color', '--format=%H%x01%an%x01%ae%x01%at%x01%s', `${base}..${head}`]);
  const flags: CommitFlag[] = [];
  for (const rec of out.split('\0')) {
    if (rec.trim() === '') continue;
    const [sha = '', name = '', email = '', at = '0', subject = ''] = rec.replace(/^\n/, '').split('\x01');
    const authorDate = Number(at) * 1000;
    const ours = (name === AGENT_IDENTITY.name && email === AGENT_IDENTITY.email) || (name === PADDOCK_IDENTITY.name && email === PADDOCK_IDENTITY.email);
    const f: CommitFlag['flags'] = [];
    if (!ours) f.push('author');
    if (authorDate < window.from - DATE_SLACK_MS || authorDate > window.to + DATE_SLACK_MS) f.push('date');
    if (f.length > 0) flags.push({ sha, subject, author: `${name} <${email}>`, authorDate, flags: f });
  }
  return flags;
}
