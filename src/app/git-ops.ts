/** diff and merge of a run's branch, in the user's repository. */
import { ErrorCode, PaddockError } from '../errors/index.ts';
import { isTerminal, type Run } from '../jobs/index.ts';
import { diffBranch, mergeBranch, type DiffResult, type MergeResult } from '../workspace/index.ts';
import type { DiffFileStatus } from '../workspace/diff.ts';
import type { Paddock } from './context.ts';
import { findRun } from './find-run.ts';
import { liveDiff } from './live-diff.ts';
import { type FinalizeReport, finalizeReportOf } from './finalize-report.ts';
import { outsideSymlinksBetween } from '../workspace/index.ts';

function broughtBack(run: Run, verb: string): void {
  if (!run.bringBack) throw new PaddockError(ErrorCode.InvalidInput, `run ${run.id} is an explore run: it brings nothing back to ${verb}`);
  if (!isTerminal(run.state)) {
    throw new PaddockError(ErrorCode.Conflict, `run ${run.id} is still ${run.state}: its branch arrives when it ends`, {
      hint: `wait (paddock logs -f ${run.id}) or stop it (paddock stop ${run.id})`,
    });
  }
  if (run.headSha === null) throw new PaddockError(ErrorCode.Conflict, `run ${run.id} brought no branch back (${run.reason ?? run.state})`);
}

/** One changed file of a run, as every surface shows it. */
export interface RunDiffFile {
  path: string;
  /** The path before, for a rename or copy. */
  oldPath?: string;
  status: DiffFileStatus;
  added: number;
  deleted: number;
  binary: boolean;
}

export interface RunDiff extends DiffResult {
  run: Run;
  files: RunDiffFile[];
  total: { files: number; added: number; deleted: number };
  /** The run is still going: this is its clone as it is now (committed or not), not a brought-back branch. */
  live: boolean;
  /** A live diff longer than the bound was cut (the patch then does not apply). */
  truncated: boolean;
  /**
   * What finalize found (null for a live run, or before): special files removed, files left out of the commit,
   * flagged authors; its outsideSymlinks are those the branch brings as it is now (merge refuses them unless allowed).
   */
  findings: FinalizeReport | null;
}

/**
 * The run's changes against its base. For a run that has ended: its brought-back branch, in the user's repository.
 * For a live one: its clone as it is now, computed in a helper container (never by host git: the agent can still
 * write that clone).
 */
export async function diffRun(p: Paddock, idOrPrefix: string): Promise<RunDiff> {
  const run = findRun(p, idOrPrefix);
  const live = run.bringBack && !isTerminal(run.state);
  if (!live) broughtBack(run, 'diff');
  const d = live ? await liveDiff(p, run) : { ...(await diffBranch({ repo: run.repo, base: run.baseSha, branch: run.branch })), truncated: false };

  const files = d.summary.files.map(
    (f): RunDiffFile => ({
      path: f.path,
      ...(f.oldPath === undefined ? {} : { oldPath: f.oldPath }),
      status: d.statuses[f.path] ?? (f.oldPath === undefined ? 'modified' : 'renamed'),
      added: f.insertions,
      deleted: f.deletions,
      binary: f.binary,
    }),
  );
  const report = live ? null : finalizeReportOf(p, run.id);
  const findings = live ? null : { ...(report ?? emptyReport()), outsideSymlinks: await outsideSymlinksBetween(run.repo, run.baseSha, run.branch) };
  return { run, ...d, files, total: { files: d.summary.filesChanged, added: d.summary.insertions, deleted: d.summary.deletions }, live, findings };
}

function emptyReport(): FinalizeReport {
  return { removed: [], leftOut: [], outsideSymlinks: [], restamped: 0, authorFlags: [], maxFileBytes: 0 };
}

export interface MergeRunResult extends MergeResult {
  run: Run;
  /** false when there was nothing to merge (the run made no changes, or they are already in the target). */
  merged: boolean;
  /** Why nothing was merged, one sentence; null when merged. */
  nothingBecause: string | null;
}

/**
 * Merges the run branch into its base (or opts.into). Nothing to merge (an empty run, or one already merged) is
 * not an error: merged is false, and nothing is recorded (no mergedAt/mergeSha, no note).
 */
export async function mergeRun(p: Paddock, idOrPrefix: string, opts: { squash?: boolean; into?: string; allowOutsideSymlinks?: boolean } = {}): Promise<MergeRunResult> {
  const run = findRun(p, idOrPrefix);
  broughtBack(run, 'merge');
  const into = opts.into ?? run.baseRef;
  if (into === 'HEAD' || /^[0-9a-f]{40}$/.test(into)) {
    throw new PaddockError(ErrorCode.InvalidInput, `run ${run.id} started from a detached commit, not a branch`, { hint: 'say which branch to merge into with --into <branch>' });
  }
  const squash = opts.squash ?? false;
  const result = await mergeBranch({
    paddockHome: p.config.home,
    repo: run.repo,
    branch: run.branch,
    into,
    squash,
    allowOutsideSymlinks: opts.allowOutsideSymlinks === true,
    message: `${squash ? 'Squashed' : 'Merge'} paddock run ${run.id}: ${firstLine(run.task)}`,
  });
  if (result.status !== 'merged') return { run, ...result, merged: false, nothingBecause: nothingToMergeBecause(run, into) };
  p.runs.update(run.id, { mergedAt: Date.now(), mergeSha: result.commit });
  p.events.append(run.id, {
    kind: 'note',
    message: `merged into ${into} as ${result.commit}${squash ? ' (squashed)' : ''}${opts.allowOutsideSymlinks === true ? ' (symlinks pointing outside the worktree allowed)' : ''}`,
  });
  return { run: findRun(p, run.id), ...result, merged: true, nothingBecause: null };
}

function nothingToMergeBecause(run: Run, into: string): string {
  if (run.mergedAt !== null) return `run ${run.id} was already merged${run.mergeSha ? ` (as ${run.mergeSha.slice(0, 10)})` : ''}; ${into} has its changes`;
  if (run.commitsAhead === 0 && run.headSha === run.baseSha) return `run ${run.id} made no changes (branch ${run.branch} is at its base)`;
  return `the changes of branch ${run.branch} are already in ${into}`;
}

const firstLine = (s: string) => (s.split('\n')[0] ?? '').slice(0, 72);
