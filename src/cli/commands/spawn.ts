import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { isAbsolute, resolve } from 'node:path';
import { invalidInput, type RunView as Run, type StoredEvent, TASK_TYPES } from '../../app/light.ts';
import { call } from '../client.ts';
import { info, out } from '../context.ts';
import { EXIT_DETACHED, exitForState } from '../exit-codes.ts';
import { followRun } from '../follow.ts';
import { paint, safe } from '../format.ts';
import { printJson } from '../json.ts';
import { clisOf, spawnGroupFromCli } from './groups.ts';
import { attachInteractive } from './shell.ts';
import { servicesOf } from './services-flags.ts';

const TASK_SOURCES = '--task <text>, --task - (read it from stdin) or --task-file <file>';

/** The task from --task, --task - (stdin) or --task-file: exactly one of them, and not empty. */
export async function readTask(o: { task?: string | undefined; taskFile?: string | undefined }): Promise<string> {
  if (o.task !== undefined && o.taskFile !== undefined) throw invalidInput('give the task once: --task or --task-file, not both', `use one of ${TASK_SOURCES}`);
  if (o.task === undefined && o.taskFile === undefined) throw invalidInput('no task: say what the agent should do', `use ${TASK_SOURCES}`);
  let task: string;
  let from: string;
  if (o.taskFile !== undefined) {
    from = `--task-file ${o.taskFile}`;
    try {
      task = await readFile(o.taskFile, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw invalidInput(`${from}: the file does not exist`, 'pass the path of a file that holds the task');
      if (code === 'EISDIR') throw invalidInput(`${from}: that is a directory, not a file`, 'pass the path of a file that holds the task');
      throw invalidInput(`${from}: cannot read it (${code ?? (e as Error).message})`);
    }
  } else if (o.task === '-') {
    from = '--task - (stdin)';
    if (process.stdin.isTTY) info(paint('dim', 'reading the task from stdin; end it with Ctrl-D', process.stderr));
    const { text } = await import('node:stream/consumers');
    task = await text(process.stdin);
  } else {
    from = '--task';
    task = o.task!;
  }
  if (task.trim() === '') throw invalidInput(`the task is empty (${from})`, 'say what the agent should do');
  return task.replace(/\s+$/, '');
}

export function registerSpawn(program: Command): void {
  program
    .command('spawn')
    .summary('start an agent on a task, in its own container, checkout and branch')
    .description(
      'Start an agent on a task. It works in a private clone of --repo on its own branch, in a hardened container\n' +
        '(non-root, no capabilities, no network, memory/CPU/PID/time limits). When it ends, its work is committed and\n' +
        'the run branch arrives in your repository; your checkout, other branches and .git are never touched.\n\n' +
        'Without --detach, spawn follows the run like `logs -f` and exits with its outcome (0 completed, 1 failed,\n' +
        `124 timed out, 130 cancelled, 71 crashed). Ctrl-C detaches: the run goes on and spawn exits ${EXIT_DETACHED}.\n\n` +
        'The task comes from --task, from stdin with --task -, or from a file with --task-file.',
    )
    .option('--repo <path>', "git repository to work on (default: the --project's path)")
    .option('--project <name>', 'a stored project: its repository and defaults (base, image, limits, egress additions, notifications); see paddock project')
    .option('--persona <name>', 'an agent persona, e.g. qa: its role prompt, model, image, tools and limits; see paddock agent')
    .option('--agent <name>', 'the same as --persona (the API field is persona; the agent CLI is --cli)')
    .option('--task <text>', 'what the agent should do; - reads it from stdin')
    .option('--task-file <file>', 'read the task from this file')
    .addOption(new Option('--type <type>', 'task type (explore brings nothing back)').choices(TASK_TYPES).default('feature'))
    .option('--branch <name>', 'run branch to create (default paddock/<slug>-<id8>)')
    .option('--reuse-branch', 'continue on an existing branch instead of refusing it')
    .option('--base <ref>', "commit-ish to start from (default: the repo's HEAD)")
    .option('--model <name>', 'model for the agent, e.g. sonnet or opus')
    .option('--memory <size>', 'memory limit, e.g. 512m, 2g (default PADDOCK_MEMORY or 512m)')
    .option('--cpus <n>', 'CPU limit, e.g. 1, 0.5 (default 1)')
    .option('--pids <n>', 'process limit (default 512)')
    .option('--timeout <duration>', 'wall-clock limit, e.g. 30m, 1h (default 30m)')
    .option('--image <name>', 'agent image (default PADDOCK_IMAGE)')
    .option('--session <id>', 'continue an agent session (its id, or a run id of it): same HOME, conversation resumed')
    .option('--keep-alive', 'a persistent run: the agent stays alive between turns and takes follow-ups (paddock send)')
    .option('--interactive', "Claude Code's own interface on this terminal instead of a headless run (Ctrl-] detaches; paddock shell --attach <id> rejoins; docs/shell.md)")
    .option('--idle-timeout <duration>', 'with --keep-alive: end the run after this long without a message (default PADDOCK_IDLE_TIMEOUT, 30m)')
    .option('--with-changes', 'start from your working tree: uncommitted and untracked (not ignored) changes go into the starting commit')
    .option('--max-turns <n>', 'stop the agent after this many turns')
    .option('--agent-option <key=json...>', "any other agent option, e.g. allowed_tools='[\"Bash\"]' (repeatable; Claude's)")
    .option('--codex-option <key=json...>', "a Codex option (the API's codex block), e.g. model=gpt-5.5 (repeatable; for --cli codex runs)")
    .option('--gemini-option <key=json...>', "a Gemini option (the API's gemini block), e.g. model=gemini-2.5-flash (repeatable; for --cli gemini runs)")
    .option('--mount <host:container...>', 'mount a host path into the run (HOST:CONTAINER[:ro|rw]), read-only unless :rw (repeatable; only under PADDOCK_MOUNT_ALLOW, see docs/policy.md)')
    .option('--secret-env <VAR=secret...>', 'give the agent a stored secret as an environment variable, e.g. GH_TOKEN=github-token (repeatable; paddock secret set)')
    .option('--on-create <command>', "lifecycle hook: a shell command run once per session, before its first run's agent starts (repeatable, in order; docs/hooks.md)", collect, [])
    .option('--post-create <command>', 'lifecycle hook: a shell command run once per session, after the --on-create ones (repeatable)', collect, [])
    .option('--post-start <command>', 'lifecycle hook: a shell command run before every agent start (each run and resume); background services it starts keep running (repeatable)', collect, [])
    .option('--hooks-timeout <duration>', "the longest the run's hooks may take together, e.g. 90s (default 5m); a hook that fails or is still running then fails the run")
    .addOption(
      new Option(
        '--network <mode>',
        "none: no network at all; proxy: only through the run's egress proxy, by its allow list; open: a bridge network (only where PADDOCK_EGRESS_OPEN permits it)",
      ).choices(['none', 'proxy', 'open']),
    )
    .option('--allow <rule...>', "HOST[:PORT]: let the run's egress proxy reach this host too (repeatable; * globs, no port: 80 and 443); see paddock net <id>")
    .option('--budget <usd>', "the most the run may spend on model calls, in US dollars, by Paddock's gateway's count (with runs spawned on its behalf); past it the run ends failed, budget_exceeded")
    .option('--parent <run-id>', "spawn on behalf of this run: the spend counts against its tree's budget, and a spent tree stops all its runs")
    .option(
      '--coordinator',
      "a coordinator run: its agent gets Paddock's MCP tools (spawn_run, list_runs, wait_for_run, get_diff, …) to spawn and watch runs on this repository as its children; it never merges (docs/coordinator.md)",
    )
    .option('--allow-model <glob...>', 'a model the run may use (repeatable; * globs, e.g. claude-sonnet-*); default PADDOCK_GATEWAY_MODELS')
    .option('--max-tokens <n>', 'the largest max_tokens a model call of the run may ask for (default PADDOCK_GATEWAY_MAX_TOKENS)')
    .option('--cli <names>', 'agent CLI: claude (default), codex or gemini; several, comma-separated, race the task: one run each, on <branch>-<cli>, as a group (paddock compare)')
    .option('--n <count>', 'runs per CLI: the same task n times, as a group (branches <branch>-<cli>-1…)')
    .option('--check <command>', 'with a group: a shell command run over each finished run\'s work when compared (e.g. "npm test"); exit 0 is a pass')
    .option('--check-timeout <duration>', 'with --check: how long it may take (default 10m)')
    .option('--service <name=image>', 'a service container beside the agent, reachable by NAME in the run (repeatable; docs/services.md)', (v: string, all: string[] = []) => [...all, v])
    .option('--services <file>', 'services from a YAML or JSON file: [{name, image, command, environment, healthcheck, depends_on}]')
    .option('--keep-services', "keep the run's services after it ends, for inspection (paddock gc removes them)")
    .option('--compose <file>', 'a Compose file: the agent runs in --compose-service, its other services beside it (docs/services.md lists the keys Paddock runs)')
    .option('--compose-service <name>', 'with --compose: the service the agent runs in (its image is the run’s image)')
    .option('-d, --detach', 'print the run id and return at once')
    .option('--json', 'print raw events, one JSON object a line; with --detach, the run as JSON')
    .addHelpText(
      'after',
      [
        '\nExamples:',
        '  paddock spawn --repo ~/src/app --task "Implement OAuth2 login" --branch feat/oauth',
        '  paddock spawn --repo . --type explore --task "Map the request flow" --detach',
        '  paddock spawn --repo . --task-file TASK.md --timeout 1h --memory 2g',
        '  git log -1 --format=%B | paddock spawn --repo . --task -',
        '  paddock spawn --repo . --task "Add the dependency" --allow api.example.com --allow "*.example.org:8443"',
        '  paddock spawn --repo . --task "Refactor offline" --network none',
        '  paddock spawn --repo . --task "Open a PR with gh" --secret-env GH_TOKEN=github-token --mount /srv/ref:/ref',
        '  paddock spawn --repo . --task "Fix the flaky test" --budget 2 --allow-model "claude-sonnet-*"',
        '  paddock spawn --repo . --task "Run the API tests" --on-create "pip install --user -r requirements.txt" --post-start "python3 -m http.server 8000 &"',
        '  paddock spawn --repo . --task "Review the fix" --parent 3f2a9c81d0e4   # counts against 3f2a\'s budget',
        '  paddock spawn --repo . --coordinator --budget 5 --task "Split the refactor into runs and review them"',
        '  paddock spawn --project app --agent qa --task "Cover the checkout flow with tests"   # docs/projects.md',
        '  paddock spawn --repo . --task "Fix the flaky date test" --cli claude,codex,gemini --check "npm test"',
        '  paddock spawn --repo . --task "Fix the flaky date test" --n 3 --detach   # then: paddock compare <group>',
        '  paddock spawn --repo . --task "Make the migrations pass" --services services.yaml   # e.g. PostgreSQL as db',
        '  paddock spawn --repo . --task "Fix the cache bug" --compose compose.yaml --compose-service app',
      ].join('\n'),
    )
    .action(async (o: Record<string, string | boolean | string[] | undefined>) => {
      const task = await readTask({ task: o.task as string | undefined, taskFile: o.taskFile as string | undefined });
      const ctrlC = detachOnCtrlC();
      const agentOptions = optionsOf('--agent-option', o.agentOption as string[] | undefined, 'max_budget_usd=2');
      const codex = optionsOf('--codex-option', o.codexOption as string[] | undefined, 'model=gpt-5.5');
      const gemini = optionsOf('--gemini-option', o.geminiOption as string[] | undefined, 'model=gemini-2.5-flash');
      if (o.maxTurns !== undefined) agentOptions.max_turns = Number(o.maxTurns);
      const mounts = ((o.mount as string[] | undefined) ?? []).map(mountOf);
      const secretsEnv = secretsEnvOf((o.secretEnv as string[] | undefined) ?? []);
      // Paths are the daemon's to open: send them absolute (it does not share this shell's working directory).
      const body = {
        ...(o.repo !== undefined ? { repo: resolve(o.repo as string) } : {}),
        ...(o.project !== undefined ? { project: o.project as string } : {}),
        ...personaOf(o.persona as string | undefined, o.agent as string | undefined),
        task,
        type: o.type as 'feature',
        ...(o.branch ? { branch: o.branch as string } : {}),
        reuseBranch: Boolean(o.reuseBranch),
        ...(o.base ? { base: o.base as string } : {}),
        ...(o.model ? { model: o.model as string } : {}),
        ...(o.memory ? { memory: o.memory as string } : {}),
        ...(o.cpus ? { cpus: o.cpus as string } : {}),
        ...(o.pids ? { pids: o.pids as string } : {}),
        ...(o.timeout ? { timeout: o.timeout as string } : {}),
        ...(o.image ? { image: o.image as string } : {}),
        ...(o.session ? { sessionId: o.session as string } : {}),
        withChanges: Boolean(o.withChanges),
        agentOptions,
        ...(Object.keys(codex).length ? { codex } : {}),
        ...(Object.keys(gemini).length ? { gemini } : {}),
        ...(o.keepAlive ? { keepAlive: true } : {}),
        ...(o.idleTimeout ? { idleTimeout: o.idleTimeout as string } : {}),
        ...(mounts.length ? { mounts } : {}),
        ...(Object.keys(secretsEnv).length ? { secretsEnv } : {}),
        ...lifecycleOf(o),
        ...(await servicesOf(o)),
        ...networkOf(o.network as 'none' | 'proxy' | 'open' | undefined, (o.allow as string[] | undefined) ?? []),
        ...(o.budget !== undefined ? { budget: numberOf('--budget', o.budget as string) } : {}),
        ...(o.parent ? { parentRunId: o.parent as string } : {}),
        ...(o.coordinator ? { coordinator: true } : {}),
        ...(o.interactive ? { interactive: true } : {}),
        ...(o.allowModel ? { allowedModels: o.allowModel as string[] } : {}),
        ...(o.maxTokens !== undefined ? { maxTokens: numberOf('--max-tokens', o.maxTokens as string) } : {}),
      };
      const clis = clisOf(o.cli as string | undefined);
      const n = o.n === undefined ? 1 : numberOf('--n', o.n as string);
      if (clis.length > 1 || n > 1 || o.check !== undefined) {
        return spawnGroupFromCli(
          { ...body, ...(clis.length ? { clis } : {}), n, ...(o.check !== undefined ? { check: o.check as string } : {}), ...(o.checkTimeout ? { checkTimeout: o.checkTimeout as string } : {}) },
          {
            detach: Boolean(o.detach),
            json: Boolean(o.json),
            ctrlC,
          },
        );
      }
      const run = await call<Run>('POST', '/api/v1/runs', { ...body, ...(clis[0] ? { agent: clis[0] } : {}) });
      if (o.interactive && !o.detach) {
        ctrlC.release();
        return attachInteractive(run);
      }
      await showSpawned(run, { detach: Boolean(o.detach), json: Boolean(o.json), ctrlC });
    });
}

/** --persona, or its other name --agent (one of them). */
function personaOf(persona: string | undefined, agent: string | undefined): { persona?: string } {
  if (persona !== undefined && agent !== undefined && persona !== agent) throw invalidInput(`--persona ${persona} and --agent ${agent}: they are the same option, give one`);
  const name = persona ?? agent;
  return name === undefined ? {} : { persona: name };
}

/** A repeatable key=value flag as an options object; a value that is JSON is parsed, any other stays text. */
function optionsOf(flag: string, items: string[] | undefined, example: string): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (const kv of items ?? []) {
    const eq = kv.indexOf('=');
    if (eq < 1) throw invalidInput(`${flag} ${kv}: expected key=value`, `e.g. ${flag} ${example}`);
    const raw = kv.slice(eq + 1);
    try {
      options[kv.slice(0, eq)] = JSON.parse(raw);
    } catch {
      options[kv.slice(0, eq)] = raw;
    }
  }
  return options;
}

/** A number flag as a number (the API validates its range and says what is wrong); text that is no number stays text. */
function numberOf(flag: string, v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw invalidInput(`${flag} ${v}: expected a number`);
  return n;
}

/** --network and --allow, as the request's network (left out when neither is given: the server's default). */
function networkOf(mode: 'none' | 'proxy' | 'open' | undefined, allow: string[]): { network?: { mode?: 'none' | 'proxy' | 'open'; allow: string[] } } {
  if (mode === undefined && allow.length === 0) return {};
  return { network: { ...(mode ? { mode } : {}), allow } };
}

/** --mount HOST:CONTAINER[:ro|rw]; the host path absolute (the daemon does not share this shell's directory). */
function mountOf(v: string): { host: string; container: string; readOnly: boolean } {
  const parts = v.split(':');
  const mode = parts.length === 3 ? parts[2] : 'ro';
  if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1] || (mode !== 'ro' && mode !== 'rw'))
    throw invalidInput(`--mount ${v}: expected HOST:CONTAINER, HOST:CONTAINER:ro or HOST:CONTAINER:rw`, 'e.g. --mount ~/data/ref:/ref');
  // Not resolve(): that would fold `..` before the daemon follows symlinks (it resolves the path as it really is).
  return { host: isAbsolute(parts[0]) ? parts[0] : `${process.cwd()}/${parts[0]}`, container: parts[1], readOnly: mode === 'ro' };
}

/** A repeatable option's values, in the order given. */
const collect = (v: string, all: string[]): string[] => [...all, v];

/** --on-create, --post-create, --post-start (each repeatable) and --hooks-timeout → the request's lifecycle (docs/hooks.md). */
function lifecycleOf(o: Record<string, unknown>): { lifecycle?: { onCreate: string[]; postCreate: string[]; postStart: string[]; hooksTimeout?: string } } {
  const [onCreate, postCreate, postStart] = [o.onCreate, o.postCreate, o.postStart].map((v) => (v as string[] | undefined) ?? []) as [string[], string[], string[]];
  if (onCreate.length + postCreate.length + postStart.length === 0) {
    if (o.hooksTimeout !== undefined) throw invalidInput('--hooks-timeout without a hook', 'add --on-create, --post-create or --post-start, or leave --hooks-timeout out');
    return {};
  }
  return { lifecycle: { onCreate, postCreate, postStart, ...(o.hooksTimeout !== undefined ? { hooksTimeout: o.hooksTimeout as string } : {}) } };
}

/** --secret-env VAR=secret-name, repeatable; a variable given twice is a mistake. */
function secretsEnvOf(items: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const kv of items) {
    const eq = kv.indexOf('=');
    if (eq < 1 || eq === kv.length - 1) throw invalidInput(`--secret-env ${kv}: expected VAR=secret-name`, 'e.g. --secret-env GH_TOKEN=github-token');
    const k = kv.slice(0, eq);
    if (k in env) throw invalidInput(`--secret-env ${k} is given twice`);
    env[k] = kv.slice(eq + 1);
  }
  return env;
}

/**
 * Ctrl-C from now on detaches instead of killing the process (which would exit 130, the code of a cancelled run).
 * While the run is still being started (before following), the first Ctrl-C lets the start finish and then
 * detaches; a second one interrupts at once (the half-started run is then recorded as crashed).
 */
export function detachOnCtrlC(): { signal: AbortSignal; following(): void; release(): void } {
  const abort = new AbortController();
  let following = false;
  const onSigint = () => {
    if (!following && abort.signal.aborted) {
      process.off('SIGINT', onSigint);
      process.kill(process.pid, 'SIGINT');
      return;
    }
    if (!following && !abort.signal.aborted) info(paint('dim', 'Ctrl-C: detaching once the run has started (Ctrl-C again to interrupt now)', process.stderr));
    abort.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: abort.signal, following: () => void (following = true), release: () => void process.off('SIGINT', onSigint) };
}

/**
 * After a spawn (or resume): print the id and return (detach; with json, the run as JSON), or follow the run and
 * exit with its outcome. Ctrl-C while following detaches: the run goes on, and the exit code is EXIT_DETACHED.
 */
export async function showSpawned(run: Run, o: { detach: boolean; json: boolean; ctrlC?: ReturnType<typeof detachOnCtrlC> }): Promise<void> {
  const branch = safe(run.branch);
  if (o.detach) {
    o.ctrlC?.release();
    // Notes made while spawning (e.g. uncommitted changes left out) are said here; following prints them anyway.
    const { events } = await call<{ events: StoredEvent[] }>('GET', `/api/v1/runs/${run.id}/events?limit=100`);
    for (const e of events) if (e.kind === 'note') info(paint('yellow', `note: ${safe(e.data.message)}`, process.stderr));
    if (o.json) printJson(run);
    else out(run.id);
    info(paint('dim', `run ${run.id} on branch ${branch} (${run.type}); follow it: paddock logs -f ${run.id}`, process.stderr));
    return;
  }
  info(paint('dim', `run ${run.id} · branch ${branch} · ${run.type} · Ctrl-C detaches`, process.stderr));
  const ctrlC = o.ctrlC ?? detachOnCtrlC();
  ctrlC.following();
  let ended: Run;
  try {
    ended = await followRun(run.id, {
      json: o.json,
      follow: true,
      signal: ctrlC.signal,
      timestamps: false,
      // A persistent run's first turn ends with it idle, waiting for a message: that is where following stops.
      ...(run.keepAlive ? { stopAfter: (e: StoredEvent) => e.kind === 'state' && e.data.to === 'idle' } : {}),
    });
  } finally {
    // After a Ctrl-C the handler stays: a second one, right behind the first, must not kill the process (exit by signal).
    if (!ctrlC.signal.aborted) ctrlC.release();
  }
  if (ctrlC.signal.aborted) {
    info(`\ndetached from run ${run.id}; it goes on. Follow it again: paddock logs -f ${run.id}`);
    process.exitCode = EXIT_DETACHED;
    return;
  }
  if (ended.state === 'idle') {
    info(`run ${run.id} is waiting for a message: paddock send ${run.id} "…" · stop it: paddock stop ${run.id}`);
    return;
  }
  info(`run ${run.id} ${paint(ended.state === 'completed' ? 'green' : 'red', ended.state, process.stderr)}${ended.reason ? `: ${safe(ended.reason)}` : ''}`);
  if (ended.bringBack && ended.headSha) info(`branch ${branch} (${ended.commitsAhead ?? 0} commit(s) ahead) · review: paddock diff ${ended.id} · land: paddock merge ${ended.id}`);
  process.exitCode = exitForState(ended.state);
}
