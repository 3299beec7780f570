/**
 * gc: removes finished containers, checkouts that are no longer needed (merged runs, runs whose branch is gone,
 * explore runs), and anything labelled by this Paddock that no run owns. Never touches active runs, other Paddock
 * homes' resources, or anything unlabelled.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isTerminal, LIVE_STATES } from '../jobs/index.ts';
import { LABEL } from '../runtime/index.ts';
import { branchExists, removeCheckout } from '../workspace/index.ts';
import type { Paddock } from './context.ts';

export interface GcItem {
  kind: 'container' | 'checkout' | 'volume' | 'network';
  name: string;
  why: string;
}

/** With sessions, session HOME volumes of sessions with no active run go too (those sessions can no longer be resumed). */
export async function gc(p: Paddock, opts: { dryRun?: boolean; sessions?: boolean } = {}): Promise<GcItem[]> {
  const runtime = await p.runtime();
  const items: GcItem[] = [];
  const act = async (item: GcItem, fn: () => Promise<void> | void) => {
    items.push(item);
    if (!opts.dryRun) await fn();
  };
  const mine = { [LABEL.managed]: 'true', [LABEL.instance]: p.instance };

  for (const c of await runtime.listContainers(mine)) {
    const run = p.runs.get(c.labels[LABEL.run] ?? '');
    if (!run) await act({ kind: 'container', name: c.name, why: 'no run owns it' }, () => runtime.removeContainer(c.id));
    else if (isTerminal(run.state)) await act({ kind: 'container', name: c.name, why: `run ${run.id} ${run.state}` }, () => runtime.removeContainer(c.id));
  }

  const runsDir = join(p.config.home, 'runs');
  for (const id of existsSync(runsDir) ? readdirSync(runsDir) : []) {
    const dir = join(runsDir, id);
    const run = p.runs.get(id);
    let why: string | undefined;
    if (!run) {
      await act({ kind: 'checkout', name: dir, why: 'no run owns it' }, () => rmSync(dir, { recursive: true, force: true }));
      continue;
    }
    if (!isTerminal(run.state) || !existsSync(join(dir, 'src'))) continue;
    if (!run.bringBack) why = 'explore run';
    else if (run.mergedAt !== null) why = 'merged';
    else if (run.headSha === null) why = `run ${run.state} with nothing brought back`;
    else if (!(await branchExists(run.repo, run.branch).catch(() => false))) why = `branch ${run.branch} was deleted`;
    if (why) await act({ kind: 'checkout', name: join(dir, 'src'), why }, () => removeCheckout(dir));
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
  return items;
}
