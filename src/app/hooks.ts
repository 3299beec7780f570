/**
 * Lifecycle hooks (Stromboli's `podman.lifecycle`; docs/hooks.md): shell commands run inside the run's container, as
 * the agent user, with the run's hardening, before the agent CLI starts. on_create then post_create run once per
 * session (its first run that gets that far), post_start before every agent start. The hooks timeout bounds them all
 * together (Stromboli's hooks_timeout); the chain is fail-fast, and a failing hook fails the run (the container ends with it).
 *
 * The daemon decides what a run runs (a plan file, mounted read-only) and learns what happened from the entry
 * script's marker lines on stderr: they carry a per-run nonce and count only until the "done" marker, after which the
 * agent runs. Nothing the agent prints can change a hook's outcome: by the time it runs, the outcome is stored.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatDuration, parseDuration } from '../config/index.ts';
import { ErrorCode, PaddockError } from '../errors/index.ts';
import type { Run } from '../jobs/index.ts';
import type { Paddock } from './context.ts';
import { type LifecycleInput, lifecycleInputSchema } from './hooks/schema.ts';

export { type LifecycleInput, lifecycleInputSchema };

/** Stromboli's default bound for each hook. */
export const DEFAULT_HOOKS_TIMEOUT_MS = 5 * 60_000;
export const HOOK_KINDS = ['on_create', 'post_create', 'post_start'] as const;
export type HookKind = (typeof HOOK_KINDS)[number];
/** Where the plan appears in the container (the entry script's hooks section reads it). */
export const IN_CONTAINER_HOOKS_PLAN = '/run/paddock-hooks/plan';

/** A run's lifecycle as stored: what it was asked to run, and the bound on each command. */
export interface RunLifecycle {
  onCreate: string[];
  postCreate: string[];
  postStart: string[];
  hooksTimeoutMs: number;
}

/**
 * The lifecycle a run gets, checked: the effective input (the request's, or a project's or persona's default merged
 * with it by the caller) → what is stored with the run, or undefined when it has no commands at all.
 */
export function settleLifecycle(p: Paddock, input: LifecycleInput | undefined): RunLifecycle | undefined {
  if (input === undefined) return undefined;
  const l = lifecycleInputSchema.parse(input);
  const hooksTimeoutMs = l.hooksTimeout === undefined || l.hooksTimeout === '' ? DEFAULT_HOOKS_TIMEOUT_MS : parseDuration(l.hooksTimeout, 'hooks timeout');
  if (hooksTimeoutMs > p.config.maxTimeout) {
    throw new PaddockError(ErrorCode.InvalidInput, `hooks timeout ${formatDuration(hooksTimeoutMs)} is above the longest allowed, ${formatDuration(p.config.maxTimeout)}`, {
      hint: 'ask for less, or raise PADDOCK_MAX_TIMEOUT',
    });
  }
  if (l.onCreate.length + l.postCreate.length + l.postStart.length === 0) return undefined;
  return { onCreate: l.onCreate, postCreate: l.postCreate, postStart: l.postStart, hooksTimeoutMs };
}

/** The lifecycle as an input again (a resume carries the earlier run's). */
export function lifecycleInputOf(l: RunLifecycle): LifecycleInput {
  return { onCreate: l.onCreate, postCreate: l.postCreate, postStart: l.postStart, hooksTimeout: `${Math.round(l.hooksTimeoutMs)}ms` };
}

type HookStatus = 'pending' | 'running' | 'started' | 'failed';

interface HookRow {
  lifecycle: string;
  plan: string | null;
  nonce: string | null;
  status: HookStatus;
  failed_hook: string | null;
  failed_code: number | null;
  failed_detail: string | null;
}

/** Records the run's lifecycle (a run without hooks gets no row). */
export function recordRunLifecycle(p: Paddock, runId: string, l: RunLifecycle | undefined): void {
  if (!l) return;
  p.db.prepare("INSERT OR REPLACE INTO run_hooks (run_id, lifecycle, status) VALUES (?, ?, 'pending')").run(runId, JSON.stringify(l));
}

export function runLifecycle(p: Paddock, runId: string): RunLifecycle | undefined {
  const row = hookRow(p, runId);
  return row ? (JSON.parse(row.lifecycle) as RunLifecycle) : undefined;
}

function hookRow(p: Paddock, runId: string): HookRow | undefined {
  return p.db.prepare('SELECT lifecycle, plan, nonce, status, failed_hook, failed_code, failed_detail FROM run_hooks WHERE run_id = ?').get(runId) as HookRow | undefined;
}

/** The session's create hooks (on_create, post_create) have run to the end in one of its runs. */
export function sessionCreated(p: Paddock, sessionId: string): { runId: string; at: number } | undefined {
  const row = p.db.prepare('SELECT created_run_id, created_at FROM session_hooks WHERE session_id = ?').get(sessionId) as { created_run_id: string; created_at: number } | undefined;
  return row ? { runId: row.created_run_id, at: Number(row.created_at) } : undefined;
}

/** What prepareRun mounts: the plan file (read-only), and whether the session's ~/.local survives the HOME reset. */
export interface HooksPlan {
  /** Host path of the plan file, or undefined when the run has no hooks. */
  file: string | undefined;
  /** The session ran (or may run) create hooks: its ~/.local is the environment they made, kept across runs. */
  keepLocal: boolean;
}

/**
 * Decides which hooks this run runs and writes the plan. The create hooks run when the session has no marker yet;
 * the marker is set only when the entry script reports them all done (see hookLines). The lock is the store's: one
 * live run per session (a unique index), held from spawn until the run is final, across daemon crashes.
 */
export function planHooks(p: Paddock, run: Pick<Run, 'id' | 'runDir' | 'sessionId'>, identity: { uid: number; gid: number }): HooksPlan {
  const created = sessionCreated(p, run.sessionId);
  const l = runLifecycle(p, run.id);
  // A session that ever ran its create hooks keeps its ~/.local, even in a later run without hooks.
  const keepLocal = created !== undefined || (l !== undefined && l.onCreate.length + l.postCreate.length > 0);
  if (!l) return { file: undefined, keepLocal };
  const plan = created ? 'start' : 'create';
  const steps: [HookKind, string[]][] =
    plan === 'create'
      ? [
          ['on_create', l.onCreate],
          ['post_create', l.postCreate],
          ['post_start', l.postStart],
        ]
      : [['post_start', l.postStart]];
  const nonce = randomBytes(16).toString('hex');
  const lines = [`nonce ${nonce}`, `timeout ${Math.max(1, Math.ceil(l.hooksTimeoutMs / 1000))}`, `create ${plan === 'create' ? 1 : 0}`];
  for (const [kind, cmds] of steps) cmds.forEach((c, i) => lines.push(`hook ${kind} ${i + 1} ${Buffer.from(c).toString('base64')}`));
  const dir = join(run.runDir, 'hooks');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'plan');
  writeFileSync(file, `${lines.join('\n')}\n`, { mode: 0o400 });
  chmodSync(file, 0o400);
  chownSync(file, identity.uid, identity.gid);
  p.db.prepare("UPDATE run_hooks SET plan = ?, nonce = ?, status = 'running', failed_hook = NULL, failed_code = NULL, failed_detail = NULL WHERE run_id = ?").run(plan, nonce, run.id);
  return { file, keepLocal };
}

/** A stderr line of the container, as the supervisor stores it: hook output is tagged, a marker becomes a sentence. */
export interface HookLine {
  text: string;
  hook: { name: string; stream: 'stdout' | 'stderr' | 'paddock' };
  /**
   * A marker's effect (the session marker, the hooks' outcome), applied by the supervisor once the line is stored:
   * a crash in between leaves the line unstored, so the next reader (which re-reads it) applies it then. Idempotent.
   */
  apply?: () => void;
}

const OUTPUT = /^paddock-hook (on_create|post_create|post_start)#(\d{1,2}) (out|err): ?(.*)$/s;
const MARKER = /^paddock-hooks:([0-9a-f]{32}) (start|ok|fail|created|done)(?: (on_create|post_create|post_start)#(\d{1,2}))?(?: (\d{1,3}|timeout))?$/;

/**
 * The supervisor's view of the run's stderr: tags the hook output lines the entry script prefixed, and turns its
 * marker lines into stored outcomes (the session's create marker, a failed hook) and readable events. Markers count
 * only with the run's nonce and only while the hooks are running: once "done" (or a failure) is stored, any further
 * marker is the agent's text, kept as it is. Idempotent: the supervisor re-reads a container's log after a restart;
 * a marker's effect is applied after its line is stored (HookLine.apply), so the stored line always reads as one.
 */
export function hookLines(p: Paddock, run: Pick<Run, 'id' | 'sessionId'>): ((text: string) => HookLine | undefined) | undefined {
  const row = hookRow(p, run.id);
  if (!row?.nonce) return undefined;
  const nonce = row.nonce;
  const lifecycle = JSON.parse(row.lifecycle) as RunLifecycle;
  let status = row.status;
  return (text) => {
    const m = MARKER.exec(text);
    if (m && m[1] === nonce && status === 'running') {
      const [, , what, kind, n, code] = m;
      const name = kind ? `${kind}#${n}` : 'hooks';
      switch (what) {
        case 'start':
          return { text: `hook ${name} started: ${preview(commandOf(lifecycle, kind, n))}`, hook: { name, stream: 'paddock' } };
        case 'ok':
          return { text: `hook ${name} done`, hook: { name, stream: 'paddock' } };
        case 'created':
          return {
            text: 'on_create and post_create done: the session is created (they do not run again in it)',
            hook: { name, stream: 'paddock' },
            apply: () => {
              p.db.prepare('INSERT INTO session_hooks (session_id, created_run_id, created_at) VALUES (?, ?, ?) ON CONFLICT(session_id) DO NOTHING').run(run.sessionId, run.id, Date.now());
            },
          };
        case 'done':
          return {
            text: 'hooks done: starting the agent',
            hook: { name, stream: 'paddock' },
            apply: () => {
              status = 'started';
              p.db.prepare("UPDATE run_hooks SET status = 'started' WHERE run_id = ? AND status = 'running'").run(run.id);
            },
          };
        case 'fail': {
          const timedOut = code === 'timeout';
          const detail = timedOut ? `was still running when the hooks timeout (${formatDuration(lifecycle.hooksTimeoutMs)}, for all hooks together) was up` : `failed with exit code ${code ?? '?'}`;
          return {
            text: `hook ${name} ${detail}: ${preview(commandOf(lifecycle, kind, n))}`,
            hook: { name, stream: 'paddock' },
            apply: () => {
              status = 'failed';
              p.db
                .prepare("UPDATE run_hooks SET status = 'failed', failed_hook = ?, failed_code = ?, failed_detail = ? WHERE run_id = ? AND status = 'running'")
                .run(name, timedOut || code === undefined ? null : Number(code), detail, run.id);
            },
          };
        }
      }
    }
    const o = OUTPUT.exec(text);
    if (o) return { text: o[4] ?? '', hook: { name: `${o[1]}#${o[2]}`, stream: o[3] === 'out' ? 'stdout' : 'stderr' } };
    return undefined;
  };
}

/**
 * Why the run failed in a hook, with its last output lines, or undefined when no hook failed (a run without hooks,
 * or whose hooks all passed: from then on only the container's exit code speaks).
 */
export function hookFailure(p: Paddock, runId: string): string | undefined {
  const row = hookRow(p, runId);
  if (row?.status !== 'failed' || !row.failed_hook) return undefined;
  const lifecycle = JSON.parse(row.lifecycle) as RunLifecycle;
  const [kind, n] = row.failed_hook.split('#');
  const rows = p.db
    .prepare("SELECT data FROM events WHERE run_id = ? AND source = 'stderr' AND json_extract(data, '$.hook.name') = ? AND json_extract(data, '$.hook.stream') != 'paddock' ORDER BY seq DESC LIMIT 5")
    .all(runId, row.failed_hook) as { data: string }[];
  const last = rows
    .map((r) => clean(String((JSON.parse(r.data) as { text?: unknown }).text ?? '')).slice(0, 200))
    .reverse()
    .join(' | ');
  return `hook ${row.failed_hook} (${preview(commandOf(lifecycle, kind, n))}) ${row.failed_detail ?? 'failed'}${last ? `; last output: ${last}` : '; no output'}`.slice(0, 1500);
}

/** What the run's hooks did, for views: undefined without hooks. */
export function hooksStatusOf(p: Paddock, runId: string): { plan: 'create' | 'start' | null; status: HookStatus; failedHook: string | null; exitCode: number | null } | undefined {
  const row = hookRow(p, runId);
  if (!row) return undefined;
  return { plan: row.plan as 'create' | 'start' | null, status: row.status, failedHook: row.failed_hook, exitCode: row.failed_code };
}

function commandOf(l: RunLifecycle, kind: string | undefined, n: string | undefined): string {
  const list = kind === 'on_create' ? l.onCreate : kind === 'post_create' ? l.postCreate : kind === 'post_start' ? l.postStart : [];
  return list[Number(n) - 1] ?? '';
}

/** Control characters out (a hook's output is hostile to a terminal), whitespace folded. */
const clean = (s: string): string =>
  s
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
const preview = (cmd: string): string => {
  const c = clean(cmd);
  return `\`${c.length > 120 ? `${c.slice(0, 120)}…` : c}\``;
};
