import type { Command } from 'commander';
import { reconcile, spawnRun } from '../../app/index.ts';
import { invalidInput } from '../../errors/index.ts';
import { TASK_TYPES, type Run } from '../../jobs/index.ts';
import { paddock, info, out } from '../context.ts';
import { exitForState } from '../exit-codes.ts';
import { followRun } from '../follow.ts';
import { paint } from '../format.ts';

export function registerSpawn(program: Command): void {
  program
    .command('spawn')
    .summary('start an agent on a task, in its own container, checkout and branch')
    .description(
      'Start an agent on a task. It works in a private clone of --repo on its own branch, in a hardened container\n' +
        '(non-root, no capabilities, no network, memory/CPU/PID/time limits). When it ends, its work is committed and\n' +
        'the run branch arrives in your repository; your checkout, other branches and .git are never touched.\n\n' +
        'Without --detach, spawn follows the run like `logs -f` and exits with its outcome (0 completed, 1 failed,\n' +
        '124 timed out, 130 cancelled). Ctrl-C detaches; the run goes on.',
    )
    .requiredOption('--repo <path>', 'git repository to work on')
    .requiredOption('--task <text>', 'what the agent should do')
    .option('--type <type>', `task type: ${TASK_TYPES.join(' | ')} (explore brings nothing back)`, 'feature')
    .option('--branch <name>', 'run branch to create (default paddock/<slug>-<id8>)')
    .option('--reuse-branch', 'continue on an existing branch instead of refusing it')
    .option('--base <ref>', 'commit-ish to start from (default: the repo\'s HEAD)')
    .option('--model <name>', 'model for the agent, e.g. sonnet or opus')
    .option('--memory <size>', 'memory limit, e.g. 512m, 2g (default PADDOCK_MEMORY or 512m)')
    .option('--cpus <n>', 'CPU limit, e.g. 1, 0.5 (default 1)')
    .option('--pids <n>', 'process limit (default 512)')
    .option('--timeout <duration>', 'wall-clock limit, e.g. 30m, 1h (default 30m)')
    .option('--image <name>', 'agent image (default PADDOCK_IMAGE)')
    .option('--session <id>', 'continue an agent session (its id, or a run id of it): same HOME, conversation resumed')
    .option('--with-changes', 'start from your working tree: uncommitted and untracked (not ignored) changes go into the starting commit')
    .option('--max-turns <n>', 'stop the agent after this many turns')
    .option('--agent-option <key=json...>', 'any other agent option, e.g. allowed_tools=\'["Bash"]\' (repeatable)')
    .option('-d, --detach', 'print the run id and return at once')
    .option('--json', 'with follow: print raw events, one JSON object a line')
    .addHelpText('after', '\nExamples:\n  paddock spawn --repo ~/src/app --task "Implement OAuth2 login" --branch feat/oauth\n  paddock spawn --repo . --type explore --task "Map the request flow" --detach')
    .action(async (o: Record<string, string | boolean | string[] | undefined>) => {
      const p = paddock();
      await reconcile(p, { supervision: 'detached', removeOrphans: true });
      const agentOptions: Record<string, unknown> = {};
      for (const kv of (o.agentOption as string[] | undefined) ?? []) {
        const eq = kv.indexOf('=');
        if (eq < 1) throw invalidInput(`--agent-option ${kv}: expected key=value`, 'e.g. --agent-option max_budget_usd=2');
        const raw = kv.slice(eq + 1);
        try {
          agentOptions[kv.slice(0, eq)] = JSON.parse(raw);
        } catch {
          agentOptions[kv.slice(0, eq)] = raw;
        }
      }
      if (o.maxTurns !== undefined) agentOptions.max_turns = Number(o.maxTurns);
      const run = await spawnRun(p, {
        repo: o.repo as string, task: o.task as string, type: o.type as 'feature',
        ...(o.branch ? { branch: o.branch as string } : {}), reuseBranch: Boolean(o.reuseBranch),
        ...(o.base ? { base: o.base as string } : {}), ...(o.model ? { model: o.model as string } : {}),
        ...(o.memory ? { memory: o.memory as string } : {}), ...(o.cpus ? { cpus: o.cpus as string } : {}),
        ...(o.pids ? { pids: o.pids as string } : {}), ...(o.timeout ? { timeout: o.timeout as string } : {}),
        ...(o.image ? { image: o.image as string } : {}), ...(o.session ? { sessionId: o.session as string } : {}),
        withChanges: Boolean(o.withChanges), agentOptions,
      }, { supervision: 'detached' });
      await showSpawned(run, { detach: Boolean(o.detach), json: Boolean(o.json) });
    });
}

/** After a spawn (or resume): print the id and return (detach), or follow the run and exit with its outcome. */
export async function showSpawned(run: Run, o: { detach: boolean; json: boolean }): Promise<void> {
  if (o.detach) {
    // Notes made while spawning (e.g. uncommitted changes left out) are said here; following prints them anyway.
    for (const e of paddock().events.list(run.id)) if (e.kind === 'note') info(paint('yellow', `note: ${String(e.data.message)}`, process.stderr));
    out(run.id);
    info(paint('dim', `run ${run.id} on branch ${run.branch} (${run.type}); follow it: paddock logs -f ${run.id}`, process.stderr));
    return;
  }
  info(paint('dim', `run ${run.id} · branch ${run.branch} · ${run.type} · Ctrl-C detaches`, process.stderr));
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  const ended = await followRun(run.id, { json: o.json, follow: true, signal: abort.signal });
  process.off('SIGINT', onSigint);
  if (abort.signal.aborted) {
    info(`\ndetached from run ${run.id}; it goes on. Follow it again: paddock logs -f ${run.id}`);
    return;
  }
  info(`run ${run.id} ${paint(ended.state === 'completed' ? 'green' : 'red', ended.state, process.stderr)}${ended.reason ? `: ${ended.reason}` : ''}`);
  if (ended.bringBack && ended.headSha) info(`branch ${ended.branch} (${ended.commitsAhead ?? 0} commit(s) ahead) · review: paddock diff ${ended.id} · land: paddock merge ${ended.id}`);
  process.exitCode = exitForState(ended.state);
}
