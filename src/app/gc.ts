/**
 * gc: removes finished containers, checkouts that are no longer needed (merged runs, runs whose branch is gone,
 * explore runs), and anything labelled by this Paddock that no run owns. With merged, also the run branches already
 * merged into their base; with olderThanMs, whole finished runs older than that (checkout and record). Never touches
 * live runs, other Paddock homes' resources, anything unlabelled, or a branch Paddock did not make as it left it.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isPaddockError } from '../errors/index.ts';
import { isTerminal, LIVE_STATES, type Run } from '../jobs/index.ts';
import { LABEL } from '../runtime/index.ts';
import { branchExists, deleteRunBranch, removeCheckout } from '../workspace/index.ts';
import { isMergedInto, runBranchState } from '../workspace/merge.ts';
import type { Paddock } from './context.ts';
import { diskUsage } from './disk-usage.ts';
import { removeRun } from './rm.ts';
import { sweepRunSecretFiles } from './secrets.ts';
import { netnsLast } from '../services/index.ts';
import { removeToolbox, staleToolboxItems } from './toolbox.ts';

export interface GcItem {
  kind: 'container' | 'checkout' | 'volume' | 'network' | 'branch' | 'run' | 'toolbox';
  name: string;
  why: string;
  /** Size on disk (checkouts, run directories); absent where it does not apply. */
  bytes?: number;
}

export interface GcOptions {
  dryRun?: boolean;
  /** Also session HOME volumes of sessions with no active run (those sessions can no longer be resumed). */
  sessions?: boolean;
  /** Also delete run branches (of runs this Paddock made) already merged into their base. */
  merged?: boolean;
  /** Also remove finished runs that ended longer ago than this: their checkout, directory and record. */
  olderThanMs?: number;
}

export async function gc(p: Paddock, opts: GcOptions = {}): Promise<GcItem[]> {
  const runtime = await p.runtime();
  const items: GcItem[] = [];
  const act = async (item: GcItem, fn: () => Promise<void> | void) => {
    items.push(item);
    if (!opts.dryRun) await fn();
  };
  const mine = { [LABEL.managed]: 'true', [LABEL.instance]: p.instance };
  // Secrets files of runs that are not live (they are removed when a run ends; this catches any left behind).
  if (!opts.dryRun) sweepRunSecretFiles(p);

  // A run's namespace holder after the containers joined to it (docs/services.md; Podman refuses it before them).
  for (const c of netnsLast(await runtime.listContainers(mine))) {
    const run = p.runs.get(c.labels[LABEL.run] ?? '');
    if (!run) await act({ kind: 'container', name: c.name, why: 'no run owns it' }, () => runtime.removeContainer(c.id));
    else if (isTerminal(run.state)) await act({ kind: 'container', name: c.name, why: `run ${run.id} ${run.state}` }, () => runtime.removeContainer(c.id));
  }

  // Runs whose branch goes (or is gone): their checkout is no longer needed either.
  const branchGone = new Set<string>();
  if (opts.merged) {
    const seen = new Set<string>();
    for (const run of p.runs.list()) {
      const key = `${run.repo}\0${run.branch}`;
      if (seen.has(key)) continue;
      seen.add(key); // newest run first: an older run on the same branch is never the one to decide
      const why = await mergedBranch(p, run);
      if (why === undefined) continue;
      let gone = Boolean(opts.dryRun);
      await act({ kind: 'branch', name: `${run.branch} (${run.repo})`, why }, async () => {
        try {
          gone = (await deleteRunBranch({ paddockHome: p.config.home, repo: run.repo, branch: run.branch, expectedHead: run.headSha! })).deleted;
        } catch (e) {
          if (!isPaddockError(e)) throw e;
          items.pop(); // moved or checked out since we looked: kept, as it should be
        }
      });
      if (gone) branchGone.add(run.id);
    }
  }

  const runsGone = new Set<string>();
  if (opts.olderThanMs !== undefined) {
    const cutoff = Date.now() - opts.olderThanMs;
    for (const run of p.runs.list()) {
      const ended = run.finishedAt ?? run.updatedAt;
      if (!isTerminal(run.state) || ended >= cutoff) continue;
      const days = Math.floor((Date.now() - ended) / 86_400_000);
      await act(
        { kind: 'run', name: run.id, why: `${run.state} ${days >= 1 ? `${days}d` : `${Math.round((Date.now() - ended) / 3_600_000)}h`} ago: checkout and record`, bytes: await diskUsage(run.runDir) },
        async () => {
          await removeRun(p, run, { branch: false });
        },
      );
      runsGone.add(run.id);
    }
  }

  const runsDir = join(p.config.home, 'runs');
  for (const id of existsSync(runsDir) ? readdirSync(runsDir) : []) {
    if (runsGone.has(id)) continue;
    const dir = join(runsDir, id);
    const run = p.runs.get(id);
    let why: string | undefined;
    if (!run) {
      await act({ kind: 'checkout', name: dir, why: 'no run owns it', bytes: await diskUsage(dir) }, () => rmSync(dir, { recursive: true, force: true }));
      continue;
    }
    if (!isTerminal(run.state) || !existsSync(join(dir, 'src'))) continue;
    if (!run.bringBack) why = 'explore run';
    else if (run.mergedAt !== null) why = 'merged';
    else if (run.headSha === null) why = `run ${run.state} with nothing brought back`;
    else if (branchGone.has(run.id)) why = `branch ${run.branch} merged and deleted`;
    else if (!(await branchExists(run.repo, run.branch).catch(() => false))) why = `branch ${run.branch} was deleted`;
    if (why) await act({ kind: 'checkout', name: join(dir, 'src'), why, bytes: await diskUsage(join(dir, 'src')) }, () => removeCheckout(dir));
  }

  const activeSessions = new Set(p.runs.list({ states: LIVE_STATES }).map((r) => r.sessionId));
  const sessions = new Map(p.sessions.list().map((s) => [s.volume, s]));
  for (const v of await runtime.listVolumes(mine)) {
    const session = sessions.get(v.name);
    if (!session) await act({ kind: 'volume', name: v.name, why: 'no session owns it' }, () => runtime.removeVolume(v.name));
    else if (opts.sessions && !activeSessions.has(session.id)) {
      await act({ kind: 'volume', name: v.name, why: `session ${session.id} (no active run)` }, async () => {
        await runtime.removeVolume(v.name);
        p.sessions.delete(session.id);
      });
    }
  }
  for (const n of await runtime.listNetworks(mine)) {
    const run = p.runs.get(n.labels[LABEL.run] ?? '');
    if (!run || isTerminal(run.state)) await act({ kind: 'network', name: n.name, why: run ? `run ${run.id} ${run.state}` : 'no run owns it' }, () => runtime.removeNetwork(n.id));
  }
  // Toolbox versions other than the current one, unused for longer than a run may live (app/toolbox.ts).
  for (const t of staleToolboxItems(p)) await act({ kind: 'toolbox', name: t.name, why: t.why, bytes: t.bytes }, () => removeToolbox(t.dir));
  return items;
}

/**
 * Why the run's branch can go with --merged, or undefined to keep it. Only a branch this Paddock made (not one a run
 * reused), of a finished run with no live run on it, still exactly where the run left it and checked out nowhere,
 * and merged: by `paddock merge`, or contained in the base branch it started from.
 */
async function mergedBranch(p: Paddock, run: Run): Promise<string | undefined> {
  if (!isTerminal(run.state) || !run.bringBack || run.headSha === null) return undefined;
  if (run.baseRef === run.branch) return undefined; // --reuse-branch: the branch was there before the run
  if (p.runs.branchTaken(run.repo, run.branch)) return undefined;
  const state = await runBranchState(run.repo, run.branch, run.headSha).catch(() => 'absent' as const);
  if (state !== 'as-left') return undefined;
  if (run.mergedAt !== null) return `run ${run.id} merged${run.mergeSha ? ` as ${run.mergeSha.slice(0, 10)}` : ''}`;
  const baseIsBranch = run.baseRef !== 'HEAD' && !/^[0-9a-f]{40}$/.test(run.baseRef);
  if (baseIsBranch && (await isMergedInto(run.repo, run.headSha, run.baseRef).catch(() => false))) return `run ${run.id}: merged into ${run.baseRef}`;
  return undefined;
}
