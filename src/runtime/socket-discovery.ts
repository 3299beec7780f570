/**
 * Finds a container engine to talk to: the first socket in a fixed order that answers _ping.
 * When none does but the podman binary is installed, starts Podman's API service on our own socket.
 */
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { ErrorCode, PaddockError } from '../errors/index.ts';
import { DockerEngineRuntime } from './docker-engine.ts';
import { ENGINE_HINT } from './engine-errors.ts';

export interface DiscoverOptions {
  /** A socket the user named (config/flag): "unix:///path" or "/path". Tried first. */
  explicit?: string;
  /** Start `podman system service` on podmanSocketPath when nothing answers and podman is installed. */
  startPodman?: boolean;
  /** Paddock's own Podman socket (/run/paddock/podman.sock): tried in the list, and where a started service listens. */
  podmanSocketPath: string;
}

export interface SocketCandidate {
  path: string;
  /** Where the path came from, for messages: "explicit", "$DOCKER_HOST", "default Podman (root)" … */
  source: string;
}

/** How long a started Podman service gets to answer. */
const PODMAN_START_TIMEOUT_MS = 10_000;

/** "unix:///run/x.sock" or "/run/x.sock" → "/run/x.sock"; anything else (tcp://, ssh://, relative) → a reason it is skipped. */
export function socketPathOf(value: string): { path: string } | { skipped: string } {
  const v = value.trim();
  const path = v.startsWith('unix://') ? v.slice('unix://'.length) : v;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(path)) return { skipped: `${v} is not a unix socket (only unix:// engine sockets are supported)` };
  if (!isAbsolute(path)) return { skipped: `${v} is not an absolute socket path` };
  return { path };
}

/** The sockets to try, in order, without duplicates; and the values that were set but cannot be used. */
export function engineCandidates(opts: DiscoverOptions, env: NodeJS.ProcessEnv = process.env, uid: number | undefined = process.getuid?.()): { candidates: SocketCandidate[]; skipped: string[] } {
  const raw: [value: string | undefined, source: string][] = [
    [opts.explicit, 'explicit'],
    [env.DOCKER_HOST, '$DOCKER_HOST'],
    [env.CONTAINER_HOST, '$CONTAINER_HOST'],
    ['/run/podman/podman.sock', 'Podman (root)'],
    [env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'podman', 'podman.sock') : undefined, 'Podman ($XDG_RUNTIME_DIR)'],
    [uid !== undefined ? `/run/user/${uid}/podman/podman.sock` : undefined, 'Podman (rootless)'],
    [opts.podmanSocketPath, "Paddock's Podman"],
    ['/var/run/docker.sock', 'Docker'],
  ];
  const candidates: SocketCandidate[] = [];
  const skipped: string[] = [];
  const seen = new Set<string>();
  for (const [value, source] of raw) {
    if (value === undefined || value.trim() === '') continue;
    const parsed = socketPathOf(value);
    if ('skipped' in parsed) {
      skipped.push(`${source}: ${parsed.skipped}`);
      continue;
    }
    if (seen.has(parsed.path)) continue;
    seen.add(parsed.path);
    candidates.push({ path: parsed.path, source });
  }
  return { candidates, skipped };
}

/** The first candidate that answers _ping, connected; or undefined, with every attempt written into `tried`. */
export async function firstAnswering(candidates: SocketCandidate[], tried: string[]): Promise<DockerEngineRuntime | undefined> {
  for (const c of candidates) {
    // A missing file costs nothing to rule out; only real sockets get a (≤ 2 s) ping.
    const why = existsSync(c.path) ? await DockerEngineRuntime.probe(c.path) : 'no such socket';
    if (why === undefined) return DockerEngineRuntime.connect(c.path);
    tried.push(`${c.path} (${c.source}): ${why}`);
  }
  return undefined;
}

/** env and uid are parameters so tests can pin them; callers leave them out. */
export async function discoverEngine(opts: DiscoverOptions, env: NodeJS.ProcessEnv = process.env, uid: number | undefined = process.getuid?.()): Promise<DockerEngineRuntime> {
  // A socket the user named in DOCKER_HOST or CONTAINER_HOST is used alone, as PADDOCK_ENGINE_SOCKET is: falling back
  // to another engine when it does not answer would run agents somewhere the user did not choose.
  const namedVar = !opts.explicit ? (['DOCKER_HOST', 'CONTAINER_HOST'] as const).find((k) => (env[k] ?? '').trim() !== '') : undefined;
  if (namedVar) return connectNamed(namedVar, env[namedVar] ?? '');
  const { candidates, skipped } = engineCandidates(opts, env, uid);
  const tried = [...skipped];
  const found = await firstAnswering(candidates, tried);
  if (found) return found;

  const podman = findOnPath('podman', env.PATH ?? process.env.PATH);
  if (podman && opts.startPodman) {
    await startPodmanService(podman, opts.podmanSocketPath, tried);
    return DockerEngineRuntime.connect(opts.podmanSocketPath);
  }
  const extra = podman ? `podman is installed: \`podman system service --time=0 unix://${opts.podmanSocketPath} &\` starts its API` : 'neither Podman nor Docker answered, and podman is not on PATH';
  throw new PaddockError(ErrorCode.EngineUnavailable, `no container engine found. Tried:\n  ${tried.join('\n  ')}`, {
    hint: `${ENGINE_HINT}; ${extra}`,
    details: { tried },
  });
}

async function connectNamed(name: string, value: string): Promise<DockerEngineRuntime> {
  const parsed = socketPathOf(value);
  const fail = (why: string) =>
    new PaddockError(ErrorCode.EngineUnavailable, `${name}=${value} names no usable engine: ${why}`, {
      hint: `start the engine on that socket, point ${name} at one that answers, or unset ${name} to let Paddock find one (${ENGINE_HINT})`,
      details: { [name]: value },
    });
  if ('skipped' in parsed) throw fail(parsed.skipped);
  const why = existsSync(parsed.path) ? await DockerEngineRuntime.probe(parsed.path) : 'no such socket';
  if (why !== undefined) throw fail(why);
  return DockerEngineRuntime.connect(parsed.path);
}

/** The executable's full path if it is on PATH. */
export function findOnPath(bin: string, path: string = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const full = join(dir, bin);
    try {
      accessSync(full, constants.X_OK);
      if (statSync(full).isFile()) return full;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Starts `podman system service --time=0 unix://<socketPath>` detached, so it outlives this process (the next Paddock
 * command finds it), logging to podman-service.log and recording its pid in podman-service.pid beside the socket.
 * Its working directory is the socket's directory too: conmon drops "oom" marker files into the service's working
 * directory (Podman 4.3 / conmon 2.1.6), which must not be the user's current directory.
 */
export async function startPodmanService(podman: string, socketPath: string, tried: string[] = []): Promise<number> {
  const dir = dirname(socketPath);
  const logPath = join(dir, 'podman-service.log');
  const fail = (why: string, cause?: unknown) =>
    new PaddockError(ErrorCode.EngineUnavailable, `could not start the Podman API service on ${socketPath}: ${why}${tried.length ? `\nTried first:\n  ${tried.join('\n  ')}` : ''}`, {
      hint: `see ${logPath}; ${ENGINE_HINT}`,
      details: { socketPath, tried },
      cause,
    });
  let log: number;
  try {
    mkdirSync(dir, { recursive: true });
    // Nothing answered on it (we only get here after probing), so a socket file there is stale and would block the bind.
    if (existsSync(socketPath) && statSync(socketPath).isSocket()) rmSync(socketPath, { force: true });
    log = openSync(logPath, 'a');
  } catch (e) {
    throw fail((e as Error).message, e);
  }
  const child = spawn(podman, ['system', 'service', '--time=0', `unix://${socketPath}`], { detached: true, stdio: ['ignore', log, log], cwd: dir });
  closeSync(log);
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `it exited (${signal ?? `code ${code}`})`));
  child.once('error', (e) => (exited = e.message));
  child.unref();
  if (child.pid !== undefined) writeFileSync(join(dir, 'podman-service.pid'), `${child.pid}\n`);

  const deadline = Date.now() + PODMAN_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited !== undefined) throw fail(`${exited}; last log lines:\n${tail(logPath)}`);
    if (existsSync(socketPath) && (await DockerEngineRuntime.probe(socketPath, 1000)) === undefined) return child.pid ?? -1;
    await new Promise((r) => setTimeout(r, 100));
  }
  // Do not leave a half-started service behind that the next attempt would trip over.
  if (child.pid !== undefined) {
    try {
      process.kill(child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  throw fail(`it did not answer within ${PODMAN_START_TIMEOUT_MS / 1000} s; last log lines:\n${tail(logPath)}`);
}

function tail(file: string, lines = 5): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
