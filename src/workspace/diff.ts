/** The run branch against its base, merge-base semantics (`base...branch`): what the run did, not what moved on the base since. */
import { invalidInput } from '../errors/index.ts';
import { repoGit, repoGitResult } from './git.ts';
import { inspectRepo } from './repo.ts';

export interface DiffInput {
  repo: string;
  /** The run's base (a sha or any revision). */
  base: string;
  /** The run branch (or any revision). */
  branch: string;
}

export type DiffFileStatus = 'added' | 'modified' | 'deleted' | 'renamed' | 'copied' | 'type-changed';

export interface DiffFileStat {
  path: string;
  /** Set when git detected a rename or copy. */
  oldPath?: string;
  insertions: number;
  deletions: number;
  binary: boolean;
}

export interface DiffSummary {
  filesChanged: number;
  insertions: number;
  deletions: number;
  files: DiffFileStat[];
}

export interface DiffResult {
  /** Unified diff text (a/ and b/ prefixes, no colour, no external diff, no textconv); '' when nothing changed. */
  text: string;
  /** `git diff --stat` text (the per-file table and the "N files changed" line); '' when nothing changed. */
  stat: string;
  summary: DiffSummary;
  /** What happened to each changed file (by its path, the new path of a rename), from `git diff --name-status`. */
  statuses: Record<string, DiffFileStatus>;
}

/** Flags that make the output the same whatever the user's config says, and run nothing external. */
const STABLE = ['--no-ext-diff', '--no-textconv', '--no-color', '--no-relative', '--src-prefix=a/', '--dst-prefix=b/', '--find-renames'];

export async function diff(input: DiffInput): Promise<DiffResult> {
  const info = await inspectRepo(input.repo);
  const base = await verifyRev(info.root, input.base, 'base');
  const branch = await verifyRev(info.root, input.branch, 'branch');
  const range = `${base}...${branch}`;
  const text = await repoGit(info.root, ['diff', ...STABLE, '--binary', range, '--']);
  const stat = await repoGit(info.root, ['diff', ...STABLE, '--stat=200', range, '--']);
  const numstat = await repoGit(info.root, ['diff', ...STABLE, '--numstat', '-z', range, '--']);
  const files = parseNumstatZ(numstat);
  const statuses = parseNameStatusZ(await repoGit(info.root, ['diff', ...STABLE, '--name-status', '-z', range, '--']));
  return {
    text,
    stat,
    summary: summarize(files),
    statuses,
  };
}

/** Totals of a diff's files (from numstat). */
/** Only the counts (files, insertions, deletions) of what diff() would show: one git call. */
export async function diffSummary(input: DiffInput): Promise<DiffSummary> {
  const info = await inspectRepo(input.repo);
  const range = `${await verifyRev(info.root, input.base, 'base')}...${await verifyRev(info.root, input.branch, 'branch')}`;
  return summarize(parseNumstatZ(await repoGit(info.root, ['diff', ...STABLE, '--numstat', '-z', range, '--'])));
}

export function summarize(files: DiffFileStat[]): DiffSummary {
  return {
    filesChanged: files.length,
    insertions: files.reduce((n, f) => n + f.insertions, 0),
    deletions: files.reduce((n, f) => n + f.deletions, 0),
    files,
  };
}

async function verifyRev(root: string, rev: string, what: string): Promise<string> {
  if (rev === '' || rev.startsWith('-') || /[\0\n]/.test(rev)) throw invalidInput(`${what} "${rev}" is not a valid revision`);
  const res = await repoGitResult(root, ['rev-parse', '-q', '--verify', '--end-of-options', `${rev}^{commit}`], { okCodes: [1, 128] });
  if (res.code !== 0 || res.stdout.trim() === '') {
    throw invalidInput(`unknown ${what} "${rev}" in ${root}`, `List branches with: git -C ${root} branch --list`);
  }
  return res.stdout.trim();
}

const STATUS: Record<string, DiffFileStatus> = { A: 'added', M: 'modified', D: 'deleted', R: 'renamed', C: 'copied', T: 'type-changed' };

/** Parses `git diff --name-status -z`: "X\0path\0", or for renames and copies "R100\0old\0new\0"; path → status. */
export function parseNameStatusZ(out: string): Record<string, DiffFileStatus> {
  const parts = out.split('\0');
  const statuses = new Map<string, DiffFileStatus>(); // a Map: a path may be any string, "__proto__" too
  let i = 0;
  while (i < parts.length) {
    const code = parts[i++] ?? '';
    if (code === '') continue;
    const letter = code[0] ?? '';
    if (letter === 'R' || letter === 'C') i++; // the old path
    const path = parts[i++];
    if (path !== undefined) statuses.set(path, STATUS[letter] ?? 'modified');
  }
  return Object.fromEntries(statuses);
}

/** Parses `git diff --numstat -z`: "ins\tdel\tpath\0", or for renames "ins\tdel\t\0old\0new\0"; binary files show "-". */
export function parseNumstatZ(out: string): DiffFileStat[] {
  const parts = out.split('\0');
  const files: DiffFileStat[] = [];
  let i = 0;
  while (i < parts.length) {
    const head = parts[i++] as string;
    if (head === '') continue;
    const m = /^(-|\d+)\t(-|\d+)\t(.*)$/s.exec(head);
    if (m === null) continue;
    const binary = m[1] === '-' || m[2] === '-';
    const insertions = binary ? 0 : Number(m[1]);
    const deletions = binary ? 0 : Number(m[2]);
    if (m[3] === '') {
      const oldPath = parts[i++] ?? '';
      const newPath = parts[i++] ?? '';
      files.push({ path: newPath, oldPath, insertions, deletions, binary });
    } else {
      files.push({ path: m[3] as string, insertions, deletions, binary });
    }
  }
  return files;
}
