/** `spawn --cli a,b,c` / `--n N` (a group of runs), `paddock compare <group>` and `paddock groups`: mapping only. */
import type { Command } from 'commander';
import { ErrorCode, type GroupComparison, invalidInput, PaddockError, type RunView as Run } from '../../app/light.ts';
import { call, ndjson } from '../client.ts';
import { info, out } from '../context.ts';
import { EXIT_DETACHED } from '../exit-codes.ts';
import { age, paint, safe, shorten, stateColor, table } from '../format.ts';
import { withExamples } from '../help.ts';
import { printJson } from '../json.ts';

/** --cli claude,codex: the names, trimmed, none empty (the daemon says which it does not know). */
export function clisOf(v: string | undefined): string[] {
  if (v === undefined) return [];
  const names = v.split(',').map((s) => s.trim());
  if (names.some((s) => s === '')) throw invalidInput(`--cli ${v}: a name is empty`, 'e.g. --cli claude,codex,gemini');
  return names;
}

interface SpawnedGroup {
  group: { id: string; task: string; createdAt: number; checkCommand: string | null };
  runs: { label: string; run: Run }[];
}

const POLL_MS = 1000;

/** Starts the group; then prints its id (detach), or watches every run to its end and prints the comparison. */
export async function spawnGroupFromCli(body: Record<string, unknown>, o: { detach: boolean; json: boolean; ctrlC: { signal: AbortSignal; following(): void; release(): void } }): Promise<void> {
  const { group, runs } = await call<SpawnedGroup>('POST', '/api/v1/groups', body);
  for (const r of runs) info(paint('dim', `run ${r.run.id} · ${safe(r.label)} · branch ${safe(r.run.branch)}`, process.stderr));
  if (o.detach) {
    o.ctrlC.release();
    if (o.json) printJson({ group, runs });
    else out(group.id);
    info(paint('dim', `group ${group.id}: ${runs.length} runs; compare them: paddock compare ${group.id}`, process.stderr));
    return;
  }
  info(paint('dim', `group ${group.id} · ${runs.length} runs · Ctrl-C detaches (they go on)`, process.stderr));
  o.ctrlC.following();
  const seen = new Map<string, string>();
  let view: GroupComparison;
  try {
    for (;;) {
      view = await call<GroupComparison>('GET', `/api/v1/groups/${group.id}`, undefined, { signal: o.ctrlC.signal });
      for (const r of view.runs) {
        if (seen.get(r.runId) === r.state) continue;
        seen.set(r.runId, r.state);
        info(`${paint('dim', new Date().toISOString().slice(11, 19))} ${safe(r.label).padEnd(10)} ${paint(stateColor(r.state), r.state)}${r.reason ? paint('dim', ` (${safe(r.reason)})`) : ''}`);
      }
      if (view.ended) break;
      await new Promise((res) => setTimeout(res, POLL_MS));
      if (o.ctrlC.signal.aborted) break;
    }
  } catch (e) {
    if (!o.ctrlC.signal.aborted) throw e;
  }
  if (o.ctrlC.signal.aborted) {
    info(`\ndetached from group ${group.id}; its runs go on. Compare them later: paddock compare ${group.id}`);
    process.exitCode = EXIT_DETACHED;
    return;
  }
  o.ctrlC.release();
  const compared = await compare(group.id, o.json);
  // A race has a winner when any run completed.
  process.exitCode = compared.runs.some((r) => r.state === 'completed') ? 0 : 1;
}

/** Runs the group's checks (with progress on stderr) and prints the comparison. */
async function compare(id: string, json: boolean): Promise<GroupComparison> {
  let done: GroupComparison | undefined;
  for await (const m of ndjson('POST', `/api/v1/groups/${encodeURIComponent(id)}/compare`)) {
    if (typeof m.progress === 'string') info(paint('dim', `  ${safe(m.progress)}`, process.stderr));
    else if (m.done) done = m.done as GroupComparison;
    else if (m.error) {
      const e = m.error as { code: ErrorCode; message: string; hint?: string };
      throw new PaddockError(Object.values(ErrorCode).includes(e.code) ? e.code : ErrorCode.Internal, e.message, e.hint ? { hint: e.hint } : {});
    }
  }
  if (!done) throw new PaddockError(ErrorCode.DaemonUnavailable, 'the comparison ended without an outcome (did the daemon stop?)', { hint: 'see paddock daemon logs' });
  if (json) printJson(done);
  else printComparison(done);
  return done;
}

const dash = (v: string | number | null) => (v === null ? '-' : String(v));

export function printComparison(c: GroupComparison): void {
  info(paint('bold', `group ${c.group.id}: ${safe(shorten(c.group.task, 70))}${c.group.checkCommand ? paint('dim', ` · check: ${safe(c.group.checkCommand)}`) : ''}`));
  const rows = [['#', 'CLI', 'RUN', 'STATE', 'FILES', '+/-', 'CHECK', 'TOKENS', 'COST', 'TIME', 'BRANCH']];
  for (const r of c.runs) {
    rows.push([
      String(r.rank),
      safe(r.label),
      r.runId,
      paint(stateColor(r.state), r.state),
      dash(r.filesChanged),
      r.insertions === null ? '-' : `+${r.insertions}/-${r.deletions ?? 0}`,
      r.check === null ? '-' : r.check.passed ? paint('green', 'pass') : paint('red', r.check.error ? 'error' : `fail (${r.check.exitCode})`),
      r.inputTokens === null ? '-' : `${r.inputTokens}/${r.outputTokens ?? 0}`,
      r.costUsd === null ? '-' : `$${r.costUsd.toFixed(4)}`,
      r.durationMs === null ? '-' : `${(r.durationMs / 1000).toFixed(1)}s`,
      safe(r.branch),
    ]);
  }
  out(table(rows));
  if (!c.ended) info(paint('yellow', 'some runs have not ended yet: compare again when they have', process.stderr));
  for (const r of c.runs) {
    if (r.check && !r.check.passed && r.check.outputTail) {
      info(paint('dim', `\n${safe(r.label)}: ${r.check.error ? safe(r.check.error) : `check exited ${r.check.exitCode}`}; its last lines:`, process.stderr));
      info(safe(r.check.outputTail.split('\n').slice(-10).join('\n')));
    }
  }
}

export function registerGroups(program: Command): void {
  const cmp = program
    .command('compare')
    .summary("rank a group's runs (spawn --cli a,b,c / --n N): outcome, files, lines, check, tokens, cost, time")
    .argument('<group>', 'group id (or a unique prefix), as spawn printed it')
    .option('--no-check', "show stored check results only; do not run the group's check on runs not checked yet")
    .option('--json', 'the comparison as JSON')
    .action(async (id: string, o: { check: boolean; json?: boolean }) => {
      if (!o.check) {
        const c = await call<GroupComparison>('GET', `/api/v1/groups/${encodeURIComponent(id)}`);
        if (o.json) printJson(c);
        else printComparison(c);
        return;
      }
      await compare(id, Boolean(o.json));
    });
  withExamples(cmp, ['paddock compare 3f2a9c81d0e4', "paddock compare 3f2a --json | jq '.runs[0].branch'", 'paddock compare 3f2a --no-check']);

  const groups = program
    .command('groups')
    .summary('list run groups, newest first')
    .option('--json', 'as JSON')
    .action(async (o: { json?: boolean }) => {
      const list = await call<{ group: { id: string; createdAt: number; task: string }; members: { label: string; runId: string; state: string }[] }[]>('GET', '/api/v1/groups');
      if (o.json) return printJson(list);
      if (list.length === 0) return info('no groups yet: paddock spawn --cli claude,codex … makes one');
      const rows = [['GROUP', 'AGE', 'RUNS', 'TASK']];
      for (const g of list) {
        rows.push([g.group.id, age(g.group.createdAt), g.members.map((m) => `${safe(m.label)}:${paint(stateColor(m.state), m.state)}`).join(' '), safe(shorten(g.group.task, 50))]);
      }
      out(table(rows));
    });
  withExamples(groups, ['paddock groups', 'paddock groups --json']);
}
