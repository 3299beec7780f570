/** Run branch names: the default `paddock/<slug>-<id8>`, validation, existence. */
import { invalidInput } from '../errors/index.ts';
import { git, repoGitResult } from './git.ts';

export const BRANCH_PREFIX = 'paddock/';
const SLUG_MAX = 40;

/** Lowercase, [a-z0-9-] only, no leading/trailing/double dashes, at most 40 characters; "run" when nothing is left. */
export function slugify(task: string): string {
  const slug = task
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, SLUG_MAX)
    .replace(/-+$/g, '');
  return slug === '' ? 'run' : slug;
}

/** `paddock/<slug of task>-<first 8 characters of the run id>`. */
export function defaultBranchName(task: string, runId: string): string {
  const id8 = runId
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .slice(0, 8);
  if (id8 === '') throw invalidInput(`run id "${runId}" has no letters or digits to name a branch after`);
  return `${BRANCH_PREFIX}${slugify(task)}-${id8}`;
}

/**
 * Throws INVALID_INPUT unless `name` is a valid, plain branch name (checked by `git check-ref-format --branch`).
 * Also callable as validateBranchName(repoRoot, name): names are validated the same way in every repository.
 */
export async function validateBranchName(name: string): Promise<void>;
export async function validateBranchName(repoRoot: string, name: string): Promise<void>;
export async function validateBranchName(first: string, second?: string): Promise<void> {
  const name = second ?? first;
  const bad = (why: string): never => {
    throw invalidInput(`invalid branch name "${name}": ${why}`, 'Use letters, digits, "-", "_", "." and "/" (e.g. paddock/fix-login-1a2b3c4d).');
  };
  if (name === '') bad('it is empty');
  if (name.startsWith('-')) bad('it starts with "-"');
  if (name === 'HEAD' || name.startsWith('refs/')) bad('it is reserved');
  if (name.includes('@{') || /[\0-\x20\x7f]/.test(name)) bad('it contains "@{", spaces or control characters');
  if (name.length > 200) bad('it is longer than 200 characters');
  let out: string;
  try {
    out = await git(['check-ref-format', '--branch', name]);
  } catch {
    return bad('git check-ref-format rejects it');
  }
  if (out.trim() !== name) bad('git would expand it to something else');
}

/** Whether refs/heads/<name> exists in the repository at `root`. */
export async function branchExists(root: string, name: string): Promise<boolean> {
  const res = await repoGitResult(root, ['show-ref', '--verify', '--quiet', `refs/heads/${name}`], { okCodes: [1] });
  return res.code === 0;
}
