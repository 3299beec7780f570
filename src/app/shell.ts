/**
 * Interactive sessions (docs/shell.md): a shell run — a terminal in a fresh run container, on its own checkout and
 * branch, with the jail, relay and egress of any run — and terminals on runs: attach to an interactive run's own TTY,
 * or open a new shell (a TTY exec) in any live run, as the run's own UID.
 *
 * The terminal's bytes go raw between the container and the person's terminal (that is what a TTY is for), only over
 * the interactive connection: nothing of them is stored, logged or shown in status.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { ErrorCode, PaddockError } from '../errors/index.ts';
import { isTerminal, type Run } from '../jobs/index.ts';
import { attachTty, execTty, type TtyStream } from '../runtime/terminal.ts';
import type { Paddock } from './context.ts';
import { findRun } from './find-run.ts';
import { storedIdentity } from './jail.ts';
import { SHELL_ARGV, TERMINAL_TYPE } from './shell-argv.ts';
import { spawnInputSchema } from './spawn-input.ts';
import { spawnRun } from './spawn.ts';
import { validate } from './validate.ts';

/** What a shell run takes: a spawn's workspace, image, limits, network and grants; no task, no agent options. */
export const shellInputSchema = spawnInputSchema
  .pick({
    repo: true,
    workspace: true,
    branch: true,
    reuseBranch: true,
    base: true,
    withChanges: true,
    image: true,
    memory: true,
    cpus: true,
    pids: true,
    timeout: true,
    mounts: true,
    secretsEnv: true,
    network: true,
    budget: true,
    webhookUrl: true,
  })
  .strict();
export type ShellInput = z.input<typeof shellInputSchema>;

/** The task a shell run is listed with (ls, status): its branch is named after it. */
export const SHELL_TASK = 'interactive shell';

/** Starts a shell run: queued like any run; a terminal attaches to it with openTerminal(…, 'attach'). */
export async function startShell(p: Paddock, input: ShellInput): Promise<Run> {
  const req = validate(shellInputSchema, input);
  const run = await spawnRun(p, { ...req, task: SHELL_TASK, verbatim: true }, { interactive: 'shell' });
  p.events.append(run.id, { kind: 'note', message: `interactive shell: attach with \`paddock shell --attach ${run.id}\`; its terminal's output is not recorded` });
  return run;
}

export const TERMINAL_MODES = ['attach', 'exec'] as const;
export type TerminalMode = (typeof TERMINAL_MODES)[number];

export interface Terminal {
  run: Run;
  mode: TerminalMode;
  tty: TtyStream;
}

/** How long an attach waits for an interactive run's container (it may be queued behind others, or its clone be large). */
const ATTACH_WAIT_MS = 10 * 60_000;

/**
 * Checks that a terminal can be opened on the run now (or, for attach, once its container exists), without opening
 * one: the API answers the upgrade request with this, so a refusal is an ordinary error response.
 */
export function checkTerminal(p: Paddock, ref: string, mode: TerminalMode): Run {
  const run = findRun(p, ref);
  if (isTerminal(run.state)) {
    throw new PaddockError(ErrorCode.Conflict, `run ${run.id} has ended (${run.state}): there is no container to open a terminal in`, {
      hint: run.interactive === 'shell' ? 'start a new one with `paddock shell --repo <path>`' : 'see `paddock status <id>`',
    });
  }
  if (mode === 'attach' && !run.interactive) {
    throw new PaddockError(ErrorCode.Conflict, `run ${run.id} is not interactive: its agent has no terminal to attach to`, {
      hint: `open a shell beside it with \`paddock shell ${run.id}\`, or follow it with \`paddock logs -f ${run.id}\``,
    });
  }
  if (mode === 'exec' && (run.state === 'queued' || run.state === 'pending')) {
    throw new PaddockError(ErrorCode.Conflict, `run ${run.id} is ${run.state}: its container is not running yet`, { hint: 'wait until `paddock status <id>` says running' });
  }
  return run;
}

/**
 * Opens a terminal on a live run. attach: the interactive run's own TTY (waiting for its container while it is queued or
 * being prepared); exec: a new login shell in the run's container, as the run's UID and GID, in /workspace, with the
 * container's environment (the run's own: no secret file is read, no credential of the host's is added).
 */
export async function openTerminal(p: Paddock, ref: string, mode: TerminalMode, opts: { signal?: AbortSignal } = {}): Promise<Terminal> {
  let run = checkTerminal(p, ref, mode);
  const runtime = await p.runtime();
  if (mode === 'attach') {
    const deadline = Date.now() + ATTACH_WAIT_MS;
    while (!run.containerId || run.state === 'queued' || run.state === 'pending') {
      if (opts.signal?.aborted) throw new PaddockError(ErrorCode.Conflict, 'the terminal was closed before the run started', {});
      if (Date.now() > deadline) throw new PaddockError(ErrorCode.Conflict, `run ${run.id} has had no container for ${ATTACH_WAIT_MS / 60_000} minutes`, { hint: 'see `paddock status <id>`' });
      await sleep(100);
      run = checkTerminal(p, run.id, mode);
    }
    return { run, mode, tty: await attachTty(runtime.info.socketPath, run.containerId) };
  }
  const id = storedIdentity(p, run.id);
  if (!run.containerId || !id) throw new PaddockError(ErrorCode.Conflict, `run ${run.id} has no container yet`, { hint: 'wait until `paddock status <id>` says running' });
  const tty = await execTty(runtime.info.socketPath, run.containerId, { user: `${id.uid}:${id.gid}`, workdir: '/workspace', cmd: SHELL_ARGV, env: { TERM: TERMINAL_TYPE } });
  return { run, mode, tty };
}

/** A resize or other control message from the terminal's client (text frames; the terminal's bytes are binary frames). */
export const terminalControlSchema = z.discriminatedUnion('type', [z.object({ type: z.literal('resize'), cols: z.int().min(1).max(1000), rows: z.int().min(1).max(1000) }).strict()]);
export type TerminalControl = z.output<typeof terminalControlSchema>;
