/**
 * Symlinks a change would bring into a worktree that point outside it: `diff` flags them, `merge` refuses them
 * unless allowed (and always refuses a link into `.git`). Read from git's objects in the user's repository; nothing
 * is followed.
 */
import { type OutsideSymlink, symlinkEscape } from './hostile-tree.ts';
import { gitBuffer, repoGit } from './git.ts';

/** Links added or changed between two trees (revisions) whose target leaves the tree. */
export async function outsideSymlinksBetween(root: string, from: string, to: string): Promise<OutsideSymlink[]> {
  const raw = await repoGit(root, ['diff', '--raw', '-z', '--no-abbrev', '--no-renames', '--no-ext-diff', '--no-textconv', '--no-color', from, to, '--']);
  const parts = raw.split('\0');
  const links: { path: string; blob: string }[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const m = /^:\d{6} (\d{6}) [0-9a-f]+ ([0-9a-f]+) [A-Z]/.exec(parts[i] ?? '');
    if (m !== null && m[1] === '120000') links.push({ path: parts[i + 1] as string, blob: m[2] as string });
  }
  if (links.length === 0) return [];
  const out = await gitBuffer(['-C', root, 'cat-file', '--batch'], { input: `${links.map((l) => l.blob).join('\n')}\n` });
  const targets = new Map<string, string>();
  let off = 0;
  while (off < out.length) {
    const nl = out.indexOf(0x0a, off);
    if (nl === -1) break;
    const [sha = '', , size = ''] = out.subarray(off, nl).toString('latin1').split(' ');
    const n = Number(size);
    if (!Number.isFinite(n) || size === '') {
      off = nl + 1;
      continue;
    }
    targets.set(sha, out.subarray(nl + 1, nl + 1 + n).toString('utf8'));
    off = nl + 1 + n + 1;
  }
  const found: OutsideSymlink[] = [];
  for (const l of links) {
    const target = targets.get(l.blob);
    if (target === undefined) continue;
    const why = symlinkEscape(l.path, target);
    if (why !== undefined) found.push({ path: l.path, target, why });
  }
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
