import type { Command } from 'commander';
import { resolve } from 'node:path';
import { invalidInput, isTerminal, type RunView } from '../../app/light.ts';
import { call } from '../client.ts';
import { info, out } from '../context.ts';
import { EXIT_DETACHED, exitForState } from '../exit-codes.ts';
import { paint, safe } from '../format.ts';
import { withExamples } from '../help.ts';
import { printJson } from '../json.ts';
import { DETACH_KEY, joinTerminal } from '../terminal.ts';

interface ShellOptions {
  attach?: boolean;
  repo?: string;
  scratch?: boolean;
  branch?: string;
  base?: string;
  withChanges?: boolean;
  image?: string;
  memory?: string;
  cpus?: string;
  timeout?: string;
  network?: 'none' | 'proxy' | 'open';
  allow?: string[];
  detach?: boolean;
  json?: boolean;
}

export function registerShell(program: Command): void {
  const cmd = program
    .command('shell')
    .summary('a terminal in a fresh run container (its own checkout and branch), or in a live run')
    .description(
      'Without an id: start a shell run, an interactive run whose terminal is a login shell in a fresh run container,\n' +
        'on its own private clone of --repo (default: this directory) and branch, with the jail, model relay and egress\n' +
        "of any run, and attach to it. Exiting the shell ends the run, and its branch comes back like any run's.\n" +
        `${DETACH_KEY} detaches (the run goes on; exit ${EXIT_DETACHED}); \`paddock shell --attach <id>\` attaches again.\n\n` +
        "With an id: open a new shell in that live run's container, as the run's own UID, in /workspace (the agent\n" +
        "goes on beside it; the shell ends when you exit it). With --attach: join an interactive run's own terminal.\n\n" +
        'What the container prints goes to your terminal as it is (that is what a terminal is for); it is never stored\n' +
        'or shown in logs or status. Exit codes: a shell run followed to its end exits with its outcome (0 completed).',
    )
    .argument('[id]', 'a live run: open a shell in it (or, with --attach, join its terminal)')
    .option('--attach', "join an interactive run's own terminal (a shell run, or spawn --interactive)")
    .option('--repo <path>', 'git repository the shell run works on (default: the current directory)')
    .option('--scratch', 'an empty workspace instead of a clone (nothing comes back)')
    .option('--branch <name>', 'run branch to create (default paddock/interactive-shell-<id8>)')
    .option('--base <ref>', "commit-ish to start from (default: the repo's HEAD)")
    .option('--with-changes', 'start from the working tree as it is (uncommitted and untracked files)')
    .option('--image <ref>', 'image of the run container (default PADDOCK_IMAGE)')
    .option('--memory <size>', 'memory limit, e.g. 2g')
    .option('--cpus <n>', 'CPU limit, e.g. 2')
    .option('--timeout <duration>', 'wall-clock limit of the shell run, e.g. 2h (default PADDOCK_TIMEOUT)')
    .option('--network <mode>', 'none, proxy (egress through the allow list) or open (where the server permits it)')
    .option('--allow <host>', 'egress rule HOST[:PORT] added for this run (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--detach', 'start the shell run and print its id without attaching')
    .option('--json', 'with --detach: the run as JSON')
    .action(async (id: string | undefined, o: ShellOptions) => {
      if (id !== undefined) {
        const given = (['repo', 'scratch', 'branch', 'base', 'withChanges', 'image', 'memory', 'cpus', 'timeout', 'network', 'allow', 'detach', 'json'] as const).find((k) => o[k] !== undefined);
        if (given) throw invalidInput(`--${given.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} starts a new shell run: it cannot go with a run id`, 'leave the id out to start a new shell run');
        return open(id, o.attach ? 'attach' : 'exec');
      }
      if (o.attach) throw invalidInput('--attach needs the id of an interactive run', 'e.g. paddock shell --attach 3f2a9c81d0e4');
      if (o.scratch && o.repo !== undefined) throw invalidInput('--scratch and --repo: a scratch workspace starts empty, pass one');
      const run = await call<RunView>('POST', '/api/v1/shells', {
        ...(o.scratch ? { workspace: 'scratch' } : { repo: resolve(o.repo ?? '.') }),
        ...(o.branch ? { branch: o.branch } : {}),
        ...(o.base ? { base: o.base } : {}),
        ...(o.withChanges ? { withChanges: true } : {}),
        ...(o.image ? { image: o.image } : {}),
        ...(o.memory ? { memory: o.memory } : {}),
        ...(o.cpus ? { cpus: o.cpus } : {}),
        ...(o.timeout ? { timeout: o.timeout } : {}),
        ...(o.network || o.allow ? { network: { ...(o.network ? { mode: o.network } : {}), allow: o.allow ?? [] } } : {}),
      });
      if (o.detach) {
        if (o.json) printJson(run);
        else out(run.id);
        info(paint('dim', `shell run ${run.id}${run.branch ? ` on branch ${safe(run.branch)}` : ''}; attach: paddock shell --attach ${run.id}`, process.stderr));
        return;
      }
      if (o.json) throw invalidInput('--json goes with --detach (an attached shell prints the terminal)');
      info(paint('dim', `shell run ${run.id}${run.branch ? ` on branch ${safe(run.branch)}` : ''} · ${DETACH_KEY} detaches · exit ends the run`, process.stderr));
      return open(run.id, 'attach');
    });
  withExamples(cmd, [
    'paddock shell                          # a shell on a private clone of this repository, on its own branch',
    'paddock shell --repo ~/src/app --image localhost/paddock-python --branch try/venv',
    'paddock shell --detach                 # start it now, attach later: paddock shell --attach <id>',
    "paddock shell 3f2a9c81d0e4             # a shell beside a live run's agent, in its /workspace, as its UID",
    'paddock shell --attach 3f2a9c81d0e4    # back into a shell run (or spawn --interactive) after Ctrl-]',
  ]);
}

/** spawn --interactive: join the new run's terminal (the agent's own interface) and follow it to its end. */
export async function attachInteractive(run: RunView): Promise<void> {
  info(paint('dim', `run ${run.id}${run.branch ? ` on branch ${safe(run.branch)}` : ''} · ${DETACH_KEY} detaches · leaving the agent ends the run`, process.stderr));
  return open(run.id, 'attach');
}

async function open(ref: string, mode: 'attach' | 'exec'): Promise<void> {
  const { run } = await call<{ run: RunView }>('GET', `/api/v1/runs/${encodeURIComponent(ref)}`);
  const end = await joinTerminal(`/api/v1/runs/${run.id}/terminal?mode=${mode}`);
  if (end.how === 'detached') {
    if (mode === 'attach') {
      info(paint('dim', `\ndetached from run ${run.id}; it goes on. Attach again: paddock shell --attach ${run.id}`, process.stderr));
      process.exitCode = EXIT_DETACHED;
    } else {
      info(paint('dim', `\nleft the shell in run ${run.id} (a shell opened beside a run cannot be attached again)`, process.stderr));
    }
    return;
  }
  if (end.how === 'closed') {
    // The daemon went away (restart, upgrade) or closed the connection: the container runs on.
    info(paint('dim', `\nthe terminal connection closed (${safe(end.reason)}); run ${run.id} goes on.${mode === 'attach' ? ` Attach again: paddock shell --attach ${run.id}` : ''}`, process.stderr));
    process.exitCode = EXIT_DETACHED;
    return;
  }
  if (mode === 'exec') {
    info(paint('dim', `shell in run ${run.id} ended${end.how === 'exit' && end.code !== null ? ` (exit ${end.code})` : ''}`, process.stderr));
    return;
  }
  // The run's own terminal ended: its process exited, so the run ends; wait for its work to come back.
  const ended = await waitForEnd(run.id);
  const bits = [`run ${ended.id} ${ended.state}`, ended.reason ? safe(ended.reason) : ''];
  if (ended.branch && ended.bringBack) bits.push(`branch ${safe(ended.branch)}${ended.commitsAhead !== null ? ` (${ended.commitsAhead} commit(s) ahead)` : ''}`);
  info(paint('dim', bits.filter(Boolean).join(' · '), process.stderr));
  if (ended.branch && ended.bringBack && ended.commitsAhead) info(paint('dim', `see it: paddock diff ${ended.id} · take it: paddock merge ${ended.id}`, process.stderr));
  process.exitCode = exitForState(ended.state);
}

/** Polls the run until it is in a final state (its branch brought back). */
async function waitForEnd(id: string): Promise<RunView> {
  for (;;) {
    const { run } = await call<{ run: RunView }>('GET', `/api/v1/runs/${id}`);
    if (isTerminal(run.state)) return run;
    await new Promise((r) => setTimeout(r, 200));
  }
}
