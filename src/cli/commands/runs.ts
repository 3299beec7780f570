import type { Command } from 'commander';
import { adoptOrphanedRuns, findRun, listRuns, runStatus, stopRun } from '../../app/index.ts';
import { formatBytes, formatDuration } from '../../config/index.ts';
import { invalidInput } from '../../errors/index.ts';
import { isTerminal } from '../../jobs/index.ts';
import { paddock, info, out } from '../context.ts';
import { exitForState } from '../exit-codes.ts';
import { followRun } from '../follow.ts';
import { age, cost, paint, stateColor, table, tokens } from '../format.ts';

export function registerRunCommands(program: Command): void {
  program
    .command('ls')
    .summary('list runs')
    .description('List runs: active ones and those that ended in the last 24 hours (all of them with --all).')
    .option('-a, --all', 'every run Paddock knows')
    .option('--json', 'one JSON array of runs')
    .action(async (o: { all?: boolean; json?: boolean }) => {
      const p = paddock();
      await adoptOrphanedRuns(p, 'detached');
      const runs = listRuns(p, { all: Boolean(o.all) });
      if (o.json) return out(JSON.stringify(runs.map(publicRun), null, 2));
      if (runs.length === 0) return info('no runs yet; start one with `paddock spawn --repo <path> --task "…"`');
      out(table([
        ['ID', 'REPO', 'BRANCH', 'TYPE', 'STATE', 'AGE', 'TOKENS', 'COST'].map((h) => paint('bold', h)),
        ...runs.map((r) => [r.id, shortPath(r.repo), r.branch, r.type, paint(stateColor(r.state), r.state), age(r.createdAt), tokens(r), cost(r)]),
      ]));
    });

  program
    .command('status')
    .summary('show one run in detail')
    .argument('<id>', 'run id (or a unique prefix)')
    .option('--json', 'as JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const p = paddock();
      await adoptOrphanedRuns(p, 'detached');
      const s = await runStatus(p, id);
      const r = s.run;
      if (o.json) return out(JSON.stringify({ ...publicRun(r), container: s.container ?? null, supervised: s.supervised, lastEvent: s.lastEvent ?? null }, null, 2));
      const rows: [string, string][] = [
        ['run', r.id],
        ['state', `${paint(stateColor(r.state), r.state)}${r.reason ? ` (${r.reason})` : ''}`],
        ['phase', r.phase],
        ['task', `${r.type}: ${r.task}`],
        ['repo', r.repo],
        ['branch', `${r.branch} from ${r.baseRef} (${r.baseSha.slice(0, 10)})${r.bringBack ? '' : ' · explore: nothing comes back'}`],
        ['last activity', s.lastEvent ? `${age(s.lastEvent.ts)} ago (${s.lastEvent.kind})` : '-'],
        ['exit', r.exitCode === null ? '-' : `code ${r.exitCode}`],
        ['result', r.resultText === null ? '-' : (r.resultText.split('\n')[0] ?? '').slice(0, 120)],
        ['usage', `${tokens(r)} tokens in/out · ${cost(r)} · ${r.numTurns ?? '-'} turns`],
        ['limits', `${formatBytes(r.memoryBytes)} memory · ${r.cpus} cpu · ${r.pids} pids · ${formatDuration(r.timeoutMs)}`],
        ['supervisor', r.ownerPid === null ? (isTerminal(r.state) ? '-' : 'none (the next paddock command adopts the run)') : `pid ${r.ownerPid}${s.supervised ? '' : ' (dead: the next paddock command adopts the run)'}`],
        ['container', r.containerId ? `${r.containerName} ${r.containerId.slice(0, 12)} (${s.container?.status ?? 'gone'})` : '-'],
        ['checkout', r.checkoutDir ?? '-'],
        ['session', r.sessionId],
        ['image', r.image],
        ['brought back', r.headSha ? `${r.headSha.slice(0, 10)}, ${r.commitsAhead ?? 0} commit(s) ahead${r.mergedAt ? ` · merged (${r.mergeSha?.slice(0, 10)})` : ''}` : '-'],
      ];
      if (r.error) rows.push(['error', r.error.split('\n')[0] ?? '']);
      out(table(rows.map(([k, v]) => [paint('bold', k), v])));
    });

  program
    .command('logs')
    .summary('show a run\'s transcript (-f to follow it live)')
    .description('Show what the agent did: its text, tool calls and their results, and Paddock\'s own notes.\nWith -f, follow live until the run ends (Ctrl-C stops following; the run goes on).')
    .argument('<id>', 'run id (or a unique prefix)')
    .option('-f, --follow', 'keep printing new events until the run ends')
    .option('--json', 'raw events, one JSON object a line (each has a seq to resume from)')
    .option('--after <seq>', 'only events after this seq (resume a tail where it stopped)')
    .action(async (id: string, o: { follow?: boolean; json?: boolean; after?: string }) => {
      const p = paddock();
      const afterSeq = o.after === undefined ? 0 : Number(o.after);
      if (!Number.isInteger(afterSeq) || afterSeq < 0) throw invalidInput(`--after ${o.after}: expected a whole number (an event's seq)`);
      await adoptOrphanedRuns(p, 'detached');
      const abort = new AbortController();
      process.once('SIGINT', () => abort.abort());
      const run = await followRun(findRun(p, id).id, { json: Boolean(o.json), follow: Boolean(o.follow), afterSeq, signal: abort.signal });
      if (o.follow && !abort.signal.aborted && isTerminal(run.state)) process.exitCode = exitForState(run.state);
    });

  program
    .command('stop')
    .summary('stop a run (its work so far is kept on the run branch)')
    .argument('<id>', 'run id (or a unique prefix)')
    .option('--no-wait', 'return once the container is stopped, before the work is brought back')
    .action(async (id: string, o: { wait: boolean }) => {
      const p = paddock();
      const { run, alreadyEnded } = await stopRun(p, id, { supervision: 'detached', wait: o.wait });
      if (alreadyEnded) return info(`run ${run.id} had already ended: ${run.state}${run.reason ? ` (${run.reason})` : ''}`);
      info(`run ${run.id} ${run.state}${run.headSha ? `; work so far is on branch ${run.branch}` : ''}`);
    });
}

function shortPath(p: string): string {
  const home = process.env.HOME;
  return home && p.startsWith(`${home}/`) ? `~${p.slice(home.length)}` : p;
}

/** What --json shows of a run: everything but the capability token. */
function publicRun<T extends { modelToken: string }>(r: T): Omit<T, 'modelToken'> {
  const { modelToken: _, ...rest } = r;
  return rest;
}
