/**
 * The one way this module runs git: no shell, no hooks, no fsmonitor, no pager, no prompts, no replace
 * objects, no system config, no inherited GIT_* environment, and only the `file` transport.
 *
 * Two flavours:
 * - on the user's repository (`git(['-C', root, …])`): the user's own global config applies;
 * - on a run clone (`cloneGit(dir, …)`): explicit `--git-dir=<dir>/.git --work-tree=<dir>` so a `.git`
 *   file is never followed, and the user's global config is ignored too (`GIT_CONFIG_GLOBAL=/dev/null`),
 *   so nothing but the known-good config Paddock wrote is in force.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { ErrorCode, PaddockError } from '../errors/index.ts';
import { track } from '../telemetry/index.ts';

/** Prepended to every git invocation. Command-line config also reaches child git processes (GIT_CONFIG_PARAMETERS). */
export const HARDENING_ARGS: readonly string[] = ['--no-pager', '-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false', '-c', 'protocol.allow=never', '-c', 'protocol.file.allow=always'];

export interface GitOptions {
  /** Working directory for the process (defaults to the current one). */
  cwd?: string;
  /** Extra environment variables (on top of the hardened environment). */
  env?: Record<string, string>;
  /** Exit codes that are not failures (0 always is). */
  okCodes?: readonly number[];
  /** One sentence telling the user what to do if this fails. */
  hint?: string;
  /** Ignore the user's global git config as well (used for run clones). */
  isolated?: boolean;
  /** Largest stdout accepted, bytes. */
  maxBuffer?: number;
  /** Bytes written to stdin. */
  input?: string | Buffer;
  /** Kill git (SIGKILL) after this long, ms; defaults to the configured git timeout (setGitTimeout). */
  timeoutMs?: number;
}

export interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

const DEFAULT_MAX_BUFFER = 512 * 1024 * 1024;

/** Every host git call is killed after this long unless it asks for another limit (PADDOCK_GIT_TIMEOUT sets it). */
let gitTimeoutMs = 5 * 60_000;

/** Sets the timeout of every host git call that does not name its own (config: PADDOCK_GIT_TIMEOUT). */
export function setGitTimeout(ms: number): void {
  if (Number.isFinite(ms) && ms > 0) gitTimeoutMs = ms;
}

/** The environment git runs with: the caller's, minus every GIT_* variable (GIT_DIR, GIT_INDEX_FILE, … must never leak in). */
export function hardenedEnv(isolated: boolean, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('GIT_') && v !== undefined) env[k] = v;
  }
  Object.assign(env, {
    GIT_TERMINAL_PROMPT: '0',
    GIT_NO_REPLACE_OBJECTS: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_OPTIONAL_LOCKS: '0',
    GIT_ALLOW_PROTOCOL: 'file',
    GIT_PAGER: 'cat',
    PAGER: 'cat',
    GIT_EDITOR: 'false',
    GIT_ASKPASS: 'false',
    SSH_ASKPASS: 'false',
    LC_ALL: 'C',
    LANGUAGE: 'C',
  });
  if (isolated) env.GIT_CONFIG_GLOBAL = '/dev/null';
  Object.assign(env, extra);
  return env;
}

function describe(args: readonly string[]): string {
  const shown = args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a)));
  return `git ${shown.join(' ')}`;
}

/** Runs git; resolves with stdout, stderr and the exit code. Rejects (GIT_FAILED) unless the code is 0 or in okCodes. */
export function gitResult(args: readonly string[], opts: GitOptions = {}): Promise<GitResult> {
  const fullArgs = [...HARDENING_ARGS, ...args];
  const op = track('git', gitSubcommand(args), { args: describe(args), ...(opts.cwd ? { cwd: opts.cwd } : {}) });
  const timeout = opts.timeoutMs ?? gitTimeoutMs;
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      fullArgs,
      {
        cwd: opts.cwd,
        env: hardenedEnv(opts.isolated ?? false, opts.env),
        maxBuffer: opts.maxBuffer ?? DEFAULT_MAX_BUFFER,
        encoding: 'utf8',
        windowsHide: true,
        timeout,
        killSignal: 'SIGKILL',
      },
      (err, stdout, stderr) => {
        const exit = (err as { code?: unknown } | null)?.code;
        op.end(err === null || (typeof exit === 'number' && (opts.okCodes ?? []).includes(exit)) ? undefined : err, { code: typeof exit === 'number' ? exit : err ? String(exit) : 0 });
        if (err === null) {
          resolve({ stdout, stderr, code: 0 });
          return;
        }
        const code = (err as NodeJS.ErrnoException & { code?: unknown }).code;
        if (typeof code === 'number' && (opts.okCodes ?? []).includes(code)) {
          resolve({ stdout, stderr, code });
          return;
        }
        const command = describe(args);
        if ((err as { killed?: boolean }).killed === true && (err as { signal?: unknown }).signal === 'SIGKILL') {
          reject(
            new PaddockError(ErrorCode.GitFailed, `${command} did not finish within ${Math.round(timeout / 1000)} s and was killed`, {
              hint: 'Something in the tree made git wait (a huge or special file); raise PADDOCK_GIT_TIMEOUT only if the repository is that large.',
              details: { command, timeoutMs: timeout },
              cause: err,
            }),
          );
          return;
        }
        if (code === 'ENOENT') {
          reject(
            new PaddockError(ErrorCode.GitFailed, `git is not installed or not on PATH (running ${command})`, {
              hint: 'Install git (2.38 or newer) and make sure it is on PATH.',
              details: { command },
              cause: err,
            }),
          );
          return;
        }
        if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
          reject(
            new PaddockError(ErrorCode.GitFailed, `${command} produced more output than ${opts.maxBuffer ?? DEFAULT_MAX_BUFFER} bytes`, {
              hint: 'The output is too large to handle in one piece; narrow the request.',
              details: { command },
              cause: err,
            }),
          );
          return;
        }
        const firstLine =
          stderr
            .split('\n')
            .map((l) => l.trim())
            .find((l) => l !== '') ?? `exit code ${String(code)}`;
        reject(
          new PaddockError(ErrorCode.GitFailed, `${command} failed: ${firstLine}`, {
            hint: opts.hint ?? 'Run the same git command by hand to see the full error.',
            details: { command, stderr: stderr.trim(), exitCode: code },
            cause: err,
          }),
        );
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** Runs git for its exact output bytes (object contents); rejects (GIT_FAILED) on any non-zero exit or the timeout. */
export function gitBuffer(args: readonly string[], opts: Pick<GitOptions, 'cwd' | 'env' | 'isolated' | 'maxBuffer' | 'input' | 'timeoutMs'> = {}): Promise<Buffer> {
  const timeout = opts.timeoutMs ?? gitTimeoutMs;
  const command = describe(args);
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      [...HARDENING_ARGS, ...args],
      { cwd: opts.cwd, env: hardenedEnv(opts.isolated ?? false, opts.env), maxBuffer: opts.maxBuffer ?? DEFAULT_MAX_BUFFER, encoding: 'buffer', timeout, killSignal: 'SIGKILL' },
      (err, stdout, stderr) => {
        if (err === null) resolve(stdout);
        else {
          const timedOut = (err as { killed?: boolean }).killed === true;
          const why = timedOut ? `did not finish within ${Math.round(timeout / 1000)} s and was killed` : `failed: ${stderr.toString('utf8').trim().split('\n')[0] ?? ''}`;
          reject(new PaddockError(ErrorCode.GitFailed, `${command} ${why}`, { hint: 'Run the same git command by hand to see the full error.', details: { command }, cause: err }));
        }
      },
    );
    child.stdin?.end(opts.input ?? '');
  });
}

/** The git subcommand of an argument list (past -C dir, -c k=v and --options): what a span is named after. */
function gitSubcommand(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-C' || a === '-c') i++;
    else if (!a.startsWith('-')) return a;
  }
  return 'git';
}

/** Runs git and returns its stdout. */
export async function git(args: readonly string[], opts: GitOptions = {}): Promise<string> {
  return (await gitResult(args, opts)).stdout;
}

/** The arguments that pin git to a run clone's own `.git` directory, never following a `.git` file or discovery. */
export function cloneDirArgs(dir: string): string[] {
  const abs = path.resolve(dir);
  return [`--git-dir=${path.join(abs, '.git')}`, `--work-tree=${abs}`];
}

/** Runs git on a run clone: explicit git dir and work tree, the user's global config ignored. */
export function cloneGit(dir: string, args: readonly string[], opts: GitOptions = {}): Promise<string> {
  return git([...CLONE_ONLY_ARGS, ...cloneDirArgs(dir), ...args], { cwd: path.resolve(dir), ...opts, isolated: true });
}

export function cloneGitBuffer(dir: string, args: readonly string[], opts: Pick<GitOptions, 'env' | 'maxBuffer' | 'input' | 'timeoutMs'> = {}): Promise<Buffer> {
  return gitBuffer([...CLONE_ONLY_ARGS, ...cloneDirArgs(dir), ...args], { cwd: path.resolve(dir), ...opts, isolated: true });
}

export function cloneGitResult(dir: string, args: readonly string[], opts: GitOptions = {}): Promise<GitResult> {
  return gitResult([...CLONE_ONLY_ARGS, ...cloneDirArgs(dir), ...args], { cwd: path.resolve(dir), ...opts, isolated: true });
}

/** Extra config for run clones: no caches an agent could have primed, no submodule recursion, no auto gc. */
const CLONE_ONLY_ARGS: readonly string[] = [
  '-c',
  'core.untrackedCache=false',
  '-c',
  'core.splitIndex=false',
  '-c',
  'core.sparseCheckout=false',
  '-c',
  'submodule.recurse=false',
  '-c',
  'diff.ignoreSubmodules=all',
  '-c',
  'gc.auto=0',
  '-c',
  'maintenance.auto=false',
];

/** Runs git in the user's repository (top-level directory `root`). */
export function repoGit(root: string, args: readonly string[], opts: GitOptions = {}): Promise<string> {
  return git(['-C', root, ...args], opts);
}

export function repoGitResult(root: string, args: readonly string[], opts: GitOptions = {}): Promise<GitResult> {
  return gitResult(['-C', root, ...args], opts);
}

let versionCache: Promise<string> | undefined;
/** `git version` output, e.g. "2.39.5". */
export function gitVersion(): Promise<string> {
  versionCache ??= git(['version']).then((out) => out.trim().replace(/^git version\s+/, ''));
  return versionCache;
}
