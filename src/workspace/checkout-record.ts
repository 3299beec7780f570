/**
 * What Paddock remembers about a run checkout, in `<runDir>/workspace.json`: outside the clone, so the
 * agent can never change it, and the source of truth at finalize (base commit, branch, objects dir).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ErrorCode, PaddockError, notFound } from '../errors/index.ts';

export const CheckoutRecord = z.object({
  version: z.literal(1),
  repoRoot: z.string(),
  commonDir: z.string(),
  objectsDir: z.string(),
  objectFormat: z.enum(['sha1', 'sha256']),
  branch: z.string(),
  baseSha: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/),
  createdAt: z.string(),
  /** The sha Paddock last fetched into the user's repository for this run (a later bring-back may force-update only from it). */
  broughtBackSha: z
    .string()
    .regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/)
    .optional(),
});
export type CheckoutRecord = z.infer<typeof CheckoutRecord>;

export const CHECKOUT_SUBDIR = 'src';
const RECORD_FILE = 'workspace.json';

export function checkoutDir(runDir: string): string {
  return path.join(path.resolve(runDir), CHECKOUT_SUBDIR);
}

export async function writeCheckoutRecord(runDir: string, record: CheckoutRecord): Promise<void> {
  const file = path.join(path.resolve(runDir), RECORD_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o644 });
  await fs.rename(tmp, file);
}

export async function readCheckoutRecord(runDir: string): Promise<CheckoutRecord> {
  const file = path.join(path.resolve(runDir), RECORD_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw notFound(`no run checkout recorded in ${runDir} (missing ${RECORD_FILE})`, 'Create the checkout with createRunCheckout first.');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const result = CheckoutRecord.safeParse(parsed);
  if (!result.success) {
    throw new PaddockError(ErrorCode.Internal, `the checkout record ${file} is unreadable or damaged`, {
      hint: 'Remove the run checkout and start the run again.',
      details: { file },
    });
  }
  return result.data;
}

/**
 * A copy of the clone's index as Paddock wrote it at checkout (outside the clone, so the agent cannot touch it).
 * At finalize it stands in for the agent's index, which is never trusted: its stat data spares re-hashing
 * every file the agent did not change.
 */
export function baseIndexPath(runDir: string): string {
  return path.join(path.resolve(runDir), BASE_INDEX_FILE);
}
const BASE_INDEX_FILE = 'workspace.index';

export async function removeCheckoutRecord(runDir: string): Promise<void> {
  await fs.rm(path.join(path.resolve(runDir), RECORD_FILE), { force: true });
  await fs.rm(baseIndexPath(runDir), { force: true });
}

/**
 * Copies a git index file and keeps its mtime: git's racy-entry check compares entry mtimes with the
 * index file's own mtime, so a fresh mtime would hide same-size edits made in the second of the checkout.
 */
export async function copyKeepingMtime(from: string, to: string): Promise<void> {
  await fs.copyFile(from, to);
  const st = await fs.stat(from);
  await fs.utimes(to, st.atime, st.mtime);
}
