import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  formatBytes,
  formatDuration,
  invalidInput,
  isTerminal,
  LIVE_STATES,
  parseDuration,
  type RemovedRun,
  RUN_STATES,
  type RunNetworkView,
  type RunState,
  type RunView as Run,
  TERMINAL_STATES,
} from '../../app/light.ts';
import { call } from '../client.ts';
import { info, out } from '../context.ts';
import { exitForState } from '../exit-codes.ts';
import { followRun } from '../follow.ts';
import { age, cost, dateTime, type FinalizeFindings, findingLines, humanBytes, paint, runDuration, safe, shorten, shortenMiddle, stateColor, table, tokens } from '../format.ts';
import { withExamples } from '../help.ts';
import { printJson } from '../json.ts';

export function registerRunCommands(program: Command): void {
  const ls = program
    .command('ls')
    .summary('list runs')
    .description(
      'List runs, newest first: active ones and those that ended in the last 24 hours (all of them with --all, or\n' +
        'those created within --since). Columns: id, state, type, task, branch, age, duration (started → ended, or\n' +
        'so far), tokens (in and out), cost, and whether the branch was merged (yes, no, or - when nothing came back).',
    )
    .option('-a, --all', 'every run Paddock knows')
    .option('--state <states>', `only runs in these states, comma-separated: ${RUN_STATES.join(', ')}; or live, ended`)
    .option('--repo <path>', 'only runs on this repository')
    .option('--since <duration>', 'only runs created within this long, e.g. 2h, 7d (replaces the 24-hour window)')
    .option('-q, --quiet', 'only the run ids, one a line')
    .option('--json', 'one JSON array of runs')
    .action(async (o: { all?: boolean; state?: string; repo?: string; since?: string; quiet?: boolean; json?: boolean }) => {
      const states = o.state === undefined ? undefined : parseStates(o.state);
      if (o.since !== undefined) parseDuration(o.since, '--since'); // a bad value is said here, naming the flag
      const q = new URLSearchParams();
      if (o.all) q.set('all', 'true');
      if (states) q.set('state', states.join(','));
      if (o.repo !== undefined) q.set('repo', resolve(o.repo));
      if (o.since !== undefined) q.set('since', o.since);
      const { runs } = await call<{ runs: Run[] }>('GET', `/api/v1/runs?${q}`);
      const sinceMs = o.since;
      const repo = o.repo;
      if (o.json) return printJson(runs);
      if (o.quiet) return runs.forEach((r) => out(r.id));
      if (runs.length === 0) {
        const filtered = states || repo || sinceMs !== undefined;
        return info(filtered ? 'no runs match' : 'no runs yet; start one with `paddock spawn --repo <path> --task "…"`');
      }
      out(runsTable(runs, process.stdout.isTTY ? Math.max(80, process.stdout.columns || 100) : 100));
    });
  withExamples(ls, [
    'paddock ls                               # active runs and those that ended today',
    'paddock ls --state failed,crashed --since 7d',
    'paddock ls --repo ~/src/app --all',
    'paddock ls -q --state completed          # ids only, for scripts',
    "paddock ls --json | jq '.[] | {id, state, costUsd}'",
  ]);

  const status = program
    .command('status')
    .summary('show one run in detail')
    .description('Show one run: its state and why, task, branch, when it was created, started and ended and how long it\ntook, usage, limits, supervisor, container and checkout.')
    .argument('<id>', 'run id (or a unique prefix)')
    .option('--json', 'as JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const s = await call<RunStatus>('GET', `/api/v1/runs/${encodeURIComponent(id)}`);
      const r = s.run;
      const net = await call<RunNetworkView>('GET', `/api/v1/runs/${r.id}/network?limit=0`);
      if (o.json) return printJson({ ...r, container: s.container, lastEvent: s.lastEvent, session: s.session, network: { mode: net.mode, ...net.summary }, finalize: s.finalize });
      const when = (ms: number | null) => (ms === null ? '-' : `${dateTime(ms)} (${age(ms)} ago)`);
      const rows: [string, string][] = [
        ['run', r.id],
        ['state', `${paint(stateColor(r.state), r.state)}${r.reason ? ` (${safe(r.reason)})` : ''}`],
        ['phase', r.phase],
        ['task', `${r.type}: ${safe(r.task)}`],
        // An interactive run (docs/shell.md): how to join its terminal while it lives.
        ...(r.interactive
          ? [['terminal', `${r.interactive === 'shell' ? 'a shell' : "the agent's own interface"}${isTerminal(r.state) ? '' : ` · join it: paddock shell --attach ${r.id}`}`] as [string, string]]
          : []),
        ['repo', safe(r.repo)],
        ['branch', `${safe(r.branch)} from ${safe(r.baseRef)} (${r.baseSha.slice(0, 10)})${r.bringBack ? '' : ' · explore: nothing comes back'}`],
        ['created', when(r.createdAt)],
        ['started', when(r.startedAt)],
        ['ended', isTerminal(r.state) ? when(r.finishedAt) : `- (${r.state})`],
        ['duration', r.startedAt === null && r.finishedAt === null ? '-' : `${runDuration(r)}${isTerminal(r.state) ? '' : ' so far'}`],
        ['last activity', s.lastEvent ? `${age(s.lastEvent.ts)} ago (${safe(s.lastEvent.kind)})` : '-'],
        ['exit', r.exitCode === null ? '-' : `code ${r.exitCode}`],
        ['result', r.resultText === null ? '-' : `${paint('dim', '(agent-reported)')} ${shorten(r.resultText, 120)}`],
        ['usage', `${tokens(r)} tokens in/out · ${cost(r)}${isTerminal(r.state) ? '' : ' so far'} (counted by the gateway) · ${r.numTurns ?? '-'} turns (agent-reported)`],
        ['budget', r.maxBudgetUsd === null ? (r.rootRunId ? `the tree of run ${r.rootRunId}` : '-') : `$${r.maxBudgetUsd}${r.rootRunId ? ' (its own)' : ' (with the runs spawned on its behalf)'}`],
        ['tree', r.parentRunId ? `spawned on behalf of ${r.parentRunId} (root ${r.rootRunId ?? r.parentRunId})` : '-'],
        [
          'session total',
          s.session.runs > 1
            ? `${s.session.runs} runs · ${s.session.inputTokens + s.session.cacheReadTokens + s.session.cacheCreationTokens}/${s.session.outputTokens} tokens in/out · ${s.session.costUsd === null ? '-' : `$${s.session.costUsd.toFixed(4)}`}`
            : '(this run only)',
        ],
        ['network', networkLine(net)],
        ['limits', `${formatBytes(r.memoryBytes)} memory · ${r.cpus} cpu · ${r.pids} pids · ${formatDuration(r.timeoutMs)}`],
        ['supervised', isTerminal(r.state) ? '-' : r.supervised ? 'yes, by the daemon' : r.state === 'queued' ? `queued (${r.queuePosition ?? '?'} in line)` : 'no (the daemon adopts it within 30 s)'],
        ['container', r.containerId ? `${r.containerName} ${r.containerId.slice(0, 12)} (${s.container?.status ?? 'gone'})` : '-'],
        ['checkout', r.checkoutDir ?? '-'],
        ['session', r.sessionId],
        ['image', r.image],
        ['brought back', r.headSha ? `${r.headSha.slice(0, 10)}, ${r.commitsAhead ?? 0} commit(s) ahead${r.mergedAt ? ` · merged (${r.mergeSha?.slice(0, 10)})` : ''}` : '-'],
      ];
      if (r.error) rows.push(['error', shorten(r.error, 200)]);
      for (const line of findingLines(s.finalize)) rows.push(['finalize', paint('yellow', line)]);
      out(table(rows.map(([k, v]) => [paint('bold', k), v])));
    });
  withExamples(status, ['paddock status 3f2a            # a unique prefix of the id is enough', 'paddock status 3f2a9c81d0e4 --json | jq .state']);

  const logs = program
    .command('logs')
    .summary("show a run's transcript (-f to follow it live)")
    .description(
      "Show what the agent did: its text, tool calls and their results, and Paddock's own notes, each line with\n" +
        'its time (by default when stdout is a terminal). With -f, follow live until the run ends and exit with its\n' +
        'outcome; Ctrl-C stops following (exit 0) and the run goes on.',
    )
    .argument('<id>', 'run id (or a unique prefix)')
    .option('-f, --follow', 'keep printing new events until the run ends')
    .option('--timestamps', 'start each line with the local time of the event (default when stdout is a terminal)')
    .option('--no-timestamps', 'no times')
    .option('--json', 'raw events, one JSON object a line (each has a seq to resume from, and ts in ms)')
    .option('--after <seq>', 'only events after this seq (resume a tail where it stopped)')
    .action(async (id: string, o: { follow?: boolean; json?: boolean; after?: string; timestamps?: boolean }) => {
      const afterSeq = o.after === undefined ? 0 : Number(o.after);
      if (!Number.isInteger(afterSeq) || afterSeq < 0) throw invalidInput(`--after ${o.after}: expected a whole number (an event's seq)`);
      const abort = new AbortController();
      const onSigint = () => abort.abort();
      process.on('SIGINT', onSigint); // every Ctrl-C, not only the first: a second one must not kill us with 130
      try {
        const timestamps = o.timestamps ?? Boolean(process.stdout.isTTY);
        const runId = (await call<RunStatus>('GET', `/api/v1/runs/${encodeURIComponent(id)}`)).run.id;
        const run = await followRun(runId, { json: Boolean(o.json), follow: Boolean(o.follow), afterSeq, signal: abort.signal, timestamps });
        // Ctrl-C only stops watching: exit 0, never the code of a cancelled run.
        if (o.follow && !abort.signal.aborted && isTerminal(run.state)) process.exitCode = exitForState(run.state);
      } finally {
        if (!abort.signal.aborted) process.off('SIGINT', onSigint); // after a Ctrl-C it stays, for the next one
      }
    });
  withExamples(logs, [
    'paddock logs 3f2a                     # the transcript so far',
    "paddock logs -f 3f2a                  # follow live; exits with the run's outcome",
    'paddock logs 3f2a --json --after 120  # raw events after seq 120',
  ]);

  const stop = program
    .command('stop')
    .summary('stop a run (its work so far is kept on the run branch)')
    .description(
      'Stop a run: SIGTERM to the agent, SIGKILL after the grace period, so its container ends within 5 s. The work\nso far is committed and brought back to the run branch. Waits for that unless --no-wait.',
    )
    .argument('<id>', 'run id (or a unique prefix)')
    .option('--no-wait', 'return once the container is stopped, before the work is brought back')
    .option('--json', 'the run as it is when stop returns, with alreadyEnded and ended')
    .action(async (id: string, o: { wait: boolean; json?: boolean }) => {
      const { run, alreadyEnded } = await call<{ run: Run; alreadyEnded: boolean }>('POST', `/api/v1/runs/${encodeURIComponent(id)}/stop`, { wait: o.wait });
      const ended = isTerminal(run.state);
      if (o.json) return printJson({ ...run, alreadyEnded, ended });
      const branch = safe(run.branch);
      if (alreadyEnded) return info(`run ${run.id} had already ended: ${run.state}${run.reason ? ` (${safe(run.reason)})` : ''}`);
      if (!ended) {
        return info(
          `stop requested; run ${run.id} is ending: its container is stopped and the work so far is being brought back${run.bringBack ? ` to branch ${branch}` : ''}. Check: paddock status ${run.id}`,
        );
      }
      info(`stopped run ${run.id}: ${run.state}${run.headSha && run.bringBack ? `; the work so far is on branch ${branch}` : ''}`);
    });
  withExamples(stop, ['paddock stop 3f2a', 'paddock stop 3f2a --no-wait   # return at once; paddock status shows when it has ended']);

  const rm = program
    .command('rm')
    .summary('remove finished runs: record, checkout and (with --branch) run branch')
    .description(
      "Remove finished runs: each one's record and events, its container, its directory under $PADDOCK_HOME/runs\n" +
        '(private checkout, supervisor log) and, with --branch, its run branch in your repository (only if the branch\n' +
        'is still where the run left it and not checked out). A live run is refused: stop it first. All runs named are\n' +
        'checked before anything is removed.',
    )
    .argument('<id...>', 'run ids (or unique prefixes)')
    .option('--branch', "also delete each run's branch from your repository")
    .option('--json', 'what was removed, as a JSON array')
    .action(async (ids: string[], o: { branch?: boolean; json?: boolean }) => {
      const { removed } = await call<{ removed: RemovedRun[] }>('POST', '/api/v1/runs/remove', { ids, branch: Boolean(o.branch) });
      if (o.json) return printJson(removed);
      for (const r of removed) {
        const parts = [r.runDir ? `checkout and logs (${humanBytes(r.bytes)})` : 'no checkout left', r.container === 'removed' ? 'container' : undefined].filter(Boolean);
        out(`removed run ${r.id}: record, ${parts.join(', ')} · branch ${safe(r.branch.name)}: ${r.branch.deleted ? 'deleted' : safe(r.branch.note)}`);
      }
    });
  withExamples(rm, ['paddock rm 3f2a', 'paddock rm 3f2a 9c81 --branch    # also delete their run branches', 'paddock ls -q --state failed | xargs paddock rm']);
}

function parseStates(text: string): RunState[] {
  const states = new Set<RunState>();
  for (const word of text
    .split(',')
    .map((w) => w.trim().toLowerCase())
    .filter(Boolean)) {
    if (word === 'live') LIVE_STATES.forEach((s) => states.add(s));
    else if (word === 'ended') TERMINAL_STATES.forEach((s) => states.add(s));
    else if ((RUN_STATES as readonly string[]).includes(word)) states.add(word as RunState);
    else throw invalidInput(`--state ${text}: unknown state "${word}"`, `states: ${RUN_STATES.join(', ')}; or live, ended`);
  }
  if (states.size === 0) throw invalidInput('--state needs at least one state', `states: ${RUN_STATES.join(', ')}; or live, ended`);
  return [...states];
}

interface RunStatus {
  run: Run;
  container: { status: string; running: boolean; exitCode: number | null; oomKilled: boolean } | null;
  lastEvent: { seq: number; ts: number; kind: string } | null;
  session: { runs: number; inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheCreationTokens: number; costUsd: number | null };
  finalize: FinalizeFindings | null;
}

const compact = (n: number) => (n < 1000 ? String(n) : n < 10_000 ? `${(n / 1000).toFixed(1)}k` : n < 1e6 ? `${Math.round(n / 1000)}k` : `${(n / 1e6).toFixed(1)}M`);
/** All tokens of the run, in and out (status and --json have them apart). */
const lsTokens = (r: Run) => (r.inputTokens === null ? '-' : compact(r.inputTokens + (r.cacheReadTokens ?? 0) + (r.cacheCreationTokens ?? 0) + (r.outputTokens ?? 0)));
const lsCost = (r: Run) =>
  r.costUsd === null ? '-' : r.costUsd >= 100 ? `$${Math.round(r.costUsd)}` : r.costUsd > 0 && r.costUsd < 0.001 ? '<$0.001' : `$${r.costUsd.toFixed(r.costUsd >= 1 ? 2 : 3)}`;
const merged = (r: Run) => (r.mergedAt !== null ? 'yes' : r.bringBack && r.headSha !== null ? 'no' : '-');

/**
 * The ls table in at most width columns: task and branch share what the other columns leave. On a terminal too
 * narrow for all of them, TOKENS, then TIME, then TYPE are left out (--json has everything).
 */
export function runsTable(runs: readonly Run[], width: number): string {
  const head = ['ID', 'STATE', 'TYPE', 'TASK', 'BRANCH', 'AGE', 'TIME', 'TOKENS', 'COST', 'MERGED'];
  // A shell run (docs/shell.md) is listed as such: its task type is only the default.
  const fixed = runs.map((r) => [r.id, r.state, r.interactive === 'shell' ? 'shell' : r.type, '', '', age(r.createdAt), runDuration(r), lsTokens(r), lsCost(r), merged(r)]);
  const colWidth = (i: number) => Math.max(head[i]!.length, ...fixed.map((row) => row[i]!.length));
  let cols = head.map((_, i) => i);
  const othersOf = (c: number[]) => c.filter((i) => i !== 3 && i !== 4).reduce((n, i) => n + colWidth(i), 0) + 2 * (c.length - 1);
  for (const drop of [7, 6, 2]) if (width - othersOf(cols) < 24) cols = cols.filter((i) => i !== drop);
  const room = Math.max(12, width - othersOf(cols));
  const taskMax = Math.max(4, ...runs.map((r) => shorten(r.task, 1000).length));
  const branchMax = Math.max(6, ...runs.map((r) => safe(r.branch).length));
  let branchW = Math.min(branchMax, Math.max(8, Math.floor(room * 0.45)));
  const taskW = Math.min(taskMax, room - branchW);
  branchW = Math.min(branchMax, room - taskW);
  const rows = runs.map((r, n) => {
    const row = [...fixed[n]!];
    row[1] = paint(stateColor(r.state), r.state);
    row[3] = shorten(r.task, taskW);
    row[4] = shortenMiddle(r.branch, branchW);
    return cols.map((i) => row[i]!);
  });
  return table([cols.map((i) => paint('bold', head[i]!)), ...rows]);
}

/** status's network row: the mode, and for a proxy run what its egress proxy let through (paddock net has the log). */
function networkLine(n: RunNetworkView): string {
  if (n.mode !== 'proxy') return n.mode === 'none' ? 'none (no route out, no proxy)' : 'open (a bridge network, not logged)';
  const s = n.summary;
  return `proxy · ${s.attempts} attempt(s): ${s.allowed} allowed, ${s.denied} denied · ${humanBytes(s.bytesUp)} up, ${humanBytes(s.bytesDown)} down (paddock net ${n.runId})`;
}
