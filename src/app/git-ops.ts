/** diff and merge of a run's branch, in the user's repository. */
import { ErrorCode, PaddockError } from '../errors/index.ts';
import { isTerminal, type Run } from '../jobs/index.ts';
import { diffBranch, mergeBranch, type DiffResult, type MergeResult } from '../workspace/index.ts';
import type { Paddock } from './context.ts';
import { findRun } from './find-run.ts';

function broughtBack(run: Run, verb: string): void {
  if (!run.bringBack) throw new PaddockError(ErrorCode.InvalidInput, `run ${run.id} is an explore run: it brings nothing back to ${verb}`);
  if (!isTerminal(run.state)) {
    throw new PaddockError(ErrorCode.Conflict, `run ${run.id} is still ${run.state}: its branch arrives when it ends`, { hint: `wait (paddock logs -f ${run.id}) or stop it (paddock stop ${run.id})` });
  }
  if (run.headSha === null) throw new PaddockError(ErrorCode.Conflict, `run ${run.id} brought no branch back (${run.reason ?? run.state})`);
}

export async function diffRun(p: Paddock, idOrPrefix: string): Promise<DiffResult & { run: Run }> {
  const run = findRun(p, idOrPrefix);
  broughtBack(run, 'diff');
  return { run, ...(await diffBranch({ repo: run.repo, base: run.baseSha, branch: run.branch })) };
}

export async function mergeRun(p: Paddock, idOrPrefix: string, opts: { squash?: boolean; into?: string } = {}): Promise<MergeResult & { run: Run }> {
  const run = findRun(p, idOrPrefix);
  broughtBack(run, 'merge');
  const into = opts.into ?? run.baseRef;
  if (into === 'HEAD' || /^[0-9a-f]{40}$/.test(into)) {
    throw new PaddockError(ErrorCode.InvalidInput, `run ${run.id} started from a detached commit, not a branch`, { hint: 'say which branch to merge into with --into <branch>' });
  }
  const squash = opts.squash ?? false;
  const result = await mergeBranch({
    paddockHome: p.config.home, repo: run.repo, branch: run.branch, into, squash,
    message: `${squash ? 'Squashed' : 'Merge'} paddock run ${run.id}: ${firstLine(run.task)}`,
  });
  p.runs.update(run.id, { mergedAt: Date.now(), mergeSha: result.commit });
  p.events.append(run.id, { kind: 'note', message: `merged into ${into} as ${result.commit}${squash ? ' (squashed)' : ''}` });
  return { run: findRun(p, run.id), ...result };
}

const firstLine = (s: string) => (s.split('\n')[0] ?? '').slice(0, 72);
