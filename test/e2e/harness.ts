import { createServer } from 'node:net';
/**
 * End-to-end harness: a fresh PADDOCK_HOME per test, a real git repo, the scripted model on loopback, and the real
 * `paddock` CLI (bin/paddock.js → dist/) against the real Podman engine. Everything a test creates is removed after.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { startScriptedModel, type ScriptedModel } from '../fixtures/scripted-model/server.ts';

const pexec = promisify(execFile);
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'paddock.js');
export const PODMAN_SOCKET = process.env.PADDOCK_TEST_SOCKET ?? '/run/paddock/podman.sock';
/** The key the scripted model demands: only the relay has it; containers must never see it. */
export const REAL_KEY = 'sk-ant-test-real-key-never-in-a-container';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Env {
  home: string;
  env: NodeJS.ProcessEnv;
  model: ScriptedModel;
  engine: Docker;
  cli(args: string[], opts?: { timeoutMs?: number }): Promise<CliResult>;
  /** Starts the CLI without waiting (for Ctrl-C and kill tests). */
  start(args: string[]): ChildProcess;
  instance(): string;
}

export async function paddockEnv(t: TestContext, extra: NodeJS.ProcessEnv = {}): Promise<Env> {
  const home = mkdtempSync(join(tmpdir(), 'paddock-e2e-'));
  const model = await startScriptedModel({ apiKey: REAL_KEY });
  const socket = extra.PADDOCK_ENGINE_SOCKET ?? PODMAN_SOCKET;
  const engine = new Docker({ socketPath: socket });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    PADDOCK_HOME: home,
    PADDOCK_ENGINE_SOCKET: socket,
    PADDOCK_ANTHROPIC_BASE_URL: model.url,
    PADDOCK_ANTHROPIC_API_KEY: REAL_KEY,
    ...(process.env.PADDOCK_CACHE_DIR ? { PADDOCK_CACHE_DIR: process.env.PADDOCK_CACHE_DIR } : {}),
    ...extra,
  };
  const e: Env = {
    home,
    env,
    model,
    engine,
    cli: (args, opts = {}) => cli(args, env, opts.timeoutMs ?? 180_000),
    start: (args) => spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }),
    instance: () => readFileSync(join(home, 'instance'), 'utf8').trim(),
  };
  t.after(async () => {
    await cleanup(e);
    await model.close();
  });
  return e;
}

async function cli(args: string[], env: NodeJS.ProcessEnv, timeout: number): Promise<CliResult> {
  try {
    const { stdout, stderr } = await pexec(process.execPath, [BIN, ...args], { env, timeout, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number | string; stdout?: string; stderr?: string; killed?: boolean };
    if (typeof err.code !== 'number') throw e;
    return { code: err.code, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** Stops every run of this home and removes everything labelled with its instance, whatever the test did. */
async function cleanup(e: Env): Promise<void> {
  let instance: string;
  try {
    instance = e.instance();
  } catch {
    rmSync(e.home, { recursive: true, force: true });
    return;
  }
  // This home's daemon: kill it first, so it does not act while we clean.
  await killDaemon(e.home);
  const filters = { label: [`dev.paddock.instance=${instance}`] };
  try {
    for (const c of await e.engine.listContainers({ all: true, filters }))
      await e.engine
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {});
    const vols = await e.engine.listVolumes({ filters });
    for (const v of vols.Volumes ?? [])
      await e.engine
        .getVolume(v.Name)
        .remove()
        .catch(() => {});
  } catch {
    // a test that pointed Paddock at no engine has nothing there to clean
  }
  rmSync(e.home, { recursive: true, force: true });
}

/** SIGKILL the daemon of this home, if one runs, and wait until it is gone. */
export async function killDaemon(home: string): Promise<void> {
  let pid: number | undefined;
  try {
    pid = (JSON.parse(readFileSync(join(home, 'daemon.json'), 'utf8')) as { pid: number }).pid;
  } catch {
    return;
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return;
  }
  await until(
    () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    },
    `daemon ${pid} to die`,
    10_000,
    50,
  ).catch(() => {});
}

export function runIds(home: string): string[] {
  try {
    return readdirSync(join(home, 'runs'));
  } catch {
    return [];
  }
}

/** Labelled resources of this home still in the engine. */
export async function leftovers(e: Env): Promise<{ containers: string[]; volumes: string[] }> {
  const filters = { label: [`dev.paddock.instance=${e.instance()}`] };
  const containers = (await e.engine.listContainers({ all: true, filters })).map((c) => c.Names[0] ?? c.Id);
  const volumes = ((await e.engine.listVolumes({ filters })).Volumes ?? []).map((v) => v.Name);
  return { containers, volumes };
}

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await pexec('git', ['-C', cwd, ...args], { maxBuffer: 64 << 20 });
  return stdout.trim();
}

/** A small real repository on branch main with two commits. */
export async function makeRepo(t: TestContext): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'paddock-repo-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await git(dir, 'init', '-q', '-b', 'main');
  await git(dir, 'config', 'user.email', 'dev@example.invalid');
  await git(dir, 'config', 'user.name', 'Dev');
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'README.md'), '# app\n');
  writeFileSync(join(dir, 'src', 'main.txt'), 'one\ntwo\nthree\n');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'initial');
  writeFileSync(join(dir, 'src', 'extra.txt'), 'extra\n');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'second');
  return dir;
}

/** Everything about the user's repo that a run must not change: refs, HEAD, config, hooks, index, files. */
export interface Fingerprint {
  refs: string;
  head: string;
  config: string;
  packedRefs: string;
  hooks: string;
  index: string;
  status: string;
  files: string;
}

export async function repoFingerprint(repo: string): Promise<Fingerprint> {
  const gitDir = join(repo, '.git');
  const read = (p: string) => {
    try {
      return readFileSync(join(gitDir, p), 'utf8');
    } catch {
      return '<none>';
    }
  };
  const { stdout: hooks } = await pexec('ls', ['-la', join(gitDir, 'hooks')]);
  return {
    refs: await git(repo, 'for-each-ref', '--format=%(refname) %(objectname)'),
    head: read('HEAD'),
    config: read('config'),
    packedRefs: read('packed-refs'),
    hooks: hooks
      .split('\n')
      .slice(1)
      .map((l) => l.replace(/\s+\S+\s+\S+\s+\S+\s+(\S+)$/, ' $1'))
      .join('\n'),
    index: (await pexec('sha256sum', [join(gitDir, 'index')])).stdout.split(' ')[0] ?? '',
    status: await git(repo, 'status', '--porcelain=v1', '--untracked-files=all'),
    files: (await pexec('bash', ['-c', `cd '${repo}' && find . -path ./.git -prune -o -type f -print0 | sort -z | xargs -0 sha256sum`])).stdout,
  };
}

/** Polls until fn returns a truthy value (bounded). */
type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;
export async function until<T>(fn: () => Promise<T> | T, what: string, timeoutMs = 120_000, everyMs = 200): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as Truthy<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The run id a (non-detached) spawn printed, or '' if it printed none. */
export const runIdOf = (r: CliResult): string => /run ([0-9a-f]{12})/.exec(r.stderr)?.[1] ?? '';

export const isEnded = (s: { state: string }): boolean => ['completed', 'failed', 'cancelled', 'timed_out', 'crashed'].includes(s.state);

export async function statusJson(e: Env, id: string): Promise<Record<string, unknown> & { state: string }> {
  const r = await e.cli(['status', id, '--json']);
  if (r.code !== 0) throw new Error(`status failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown> & { state: string };
}

export async function eventsJson(e: Env, id: string): Promise<{ seq: number; kind: string; source: string; data: Record<string, unknown> }[]> {
  const r = await e.cli(['logs', id, '--json']);
  return r.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { seq: number; kind: string; source: string; data: Record<string, unknown> });
}

/** A loopback port that nothing listens on: one we bound ourselves, then closed. */
export async function deadPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/**
 * Each container matching the filters, inspected, as JSON text. A container that ends and is removed between the list
 * and its inspect (a run's short-lived helper, such as the disk watchdog's du) is skipped.
 */
export async function inspectContainers(e: Env, filters: Record<string, string[]>): Promise<string[]> {
  const out: string[] = [];
  for (const c of await e.engine.listContainers({ all: true, filters })) {
    const inspect = await e.engine
      .getContainer(c.Id)
      .inspect()
      .catch((err: { statusCode?: number }) => {
        if (err.statusCode === 404) return undefined;
        throw err;
      });
    if (inspect) out.push(JSON.stringify(inspect));
  }
  return out;
}
