/**
 * The CLI's way to the daemon: HTTP over $PADDOCK_HOME/paddock.sock, or to PADDOCK_URL (with PADDOCK_TOKEN as a
 * bearer token) for a remote `paddock serve`. With no local daemon answering, one is started in the background
 * (logging to $PADDOCK_HOME/logs/daemon.log) and waited for. Failures come back as the daemon's PaddockError.
 */
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import type * as Http from 'node:http';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCode, PaddockError } from '../app/light.ts';

// Not `import http from 'node:http'`: the ESM wrapper reads every export of the module, and one of them loads undici
// (about 190 ms, most of a short command's time). The built-in module object itself loads nothing more.
const http = process.getBuiltinModule('node:http') as typeof Http;

export type Target = { kind: 'socket'; home: string; socket: string } | { kind: 'url'; url: URL; token: string | undefined };

export function target(env: NodeJS.ProcessEnv = process.env): Target {
  if (env.PADDOCK_URL) {
    let url: URL;
    try {
      url = new URL(env.PADDOCK_URL);
    } catch {
      throw new PaddockError(ErrorCode.InvalidConfig, `PADDOCK_URL=${env.PADDOCK_URL} is not a URL`, { hint: "set it to the daemon's address, e.g. http://paddock.internal:8080" });
    }
    return { kind: 'url', url, token: env.PADDOCK_TOKEN || undefined };
  }
  const home = resolve(env.PADDOCK_HOME || join(homedir(), '.paddock'));
  return { kind: 'socket', home, socket: join(home, 'paddock.sock') };
}

const where = (t: Target) => (t.kind === 'url' ? t.url.origin : t.socket);

export interface Response {
  status: number;
  headers: Http.IncomingHttpHeaders;
  body: NodeJS.ReadableStream & AsyncIterable<Buffer>;
}

/** One raw request; rejects with the socket error (ENOENT, ECONNREFUSED, …) so callers can tell "no daemon". */
async function send(t: Target, method: string, path: string, body: unknown, signal?: AbortSignal): Promise<Response> {
  // TLS is loaded only for an https:// PADDOCK_URL: it is most of a short command's start-up otherwise.
  const https = t.kind === 'url' && t.url.protocol === 'https:' ? (await import('node:https')).default : undefined;
  return new Promise((resolvePromise, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Http.OutgoingHttpHeaders = { accept: 'application/json, text/event-stream, application/x-ndjson' };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = Buffer.byteLength(payload);
    }
    const options: Http.RequestOptions = { method, headers, ...(signal ? { signal } : {}) };
    let req: Http.ClientRequest;
    if (t.kind === 'socket') {
      req = http.request({ ...options, socketPath: t.socket, path });
    } else {
      if (t.token) headers.authorization = `Bearer ${t.token}`;
      const base = t.url.pathname.replace(/\/$/, '');
      req = (https ?? http).request({ ...options, hostname: t.url.hostname, port: t.url.port, path: base + path });
    }
    req.on('response', (res) => resolvePromise({ status: res.statusCode ?? 0, headers: res.headers, body: res }));
    req.on('error', reject);
    req.end(payload);
  });
}

async function readAll(res: Response): Promise<string> {
  let text = '';
  for await (const chunk of res.body) text += chunk.toString('utf8');
  return text;
}

/** A non-2xx answer as the PaddockError the daemon described. */
async function failure(res: Response): Promise<PaddockError> {
  const text = await readAll(res);
  try {
    const e = (JSON.parse(text) as { error?: { code?: string; message?: string; hint?: string } }).error;
    if (e?.message) {
      const code = (Object.values(ErrorCode) as string[]).includes(e.code ?? '') ? (e.code as ErrorCode) : ErrorCode.Internal;
      return new PaddockError(code, e.message, e.hint ? { hint: e.hint } : {});
    }
  } catch {
    // not JSON
  }
  const code = res.status === 401 || res.status === 403 ? ErrorCode.Unauthorized : res.status === 429 ? ErrorCode.RateLimited : ErrorCode.Internal;
  return new PaddockError(code, `the daemon answered HTTP ${res.status}: ${text.slice(0, 200)}`, code === ErrorCode.Unauthorized ? { hint: 'set PADDOCK_TOKEN to a valid token for PADDOCK_URL' } : {});
}

const noDaemon = (e: unknown) => ['ENOENT', 'ECONNREFUSED'].includes((e as NodeJS.ErrnoException).code ?? '');

/** A request to the daemon, starting the local one first if none answers (unless start is false). */
export async function request(method: string, path: string, body?: unknown, opts: { signal?: AbortSignal; start?: boolean } = {}): Promise<Response> {
  const t = target();
  let res: Response;
  try {
    res = await send(t, method, path, body, opts.signal);
  } catch (e) {
    if (t.kind === 'url') {
      throw new PaddockError(ErrorCode.DaemonUnavailable, `no Paddock daemon answers at ${where(t)}: ${(e as Error).message}`, { hint: 'check PADDOCK_URL, and that `paddock serve` runs there' });
    }
    if (!noDaemon(e)) throw e;
    if (opts.start === false)
      throw new PaddockError(ErrorCode.DaemonUnavailable, `no Paddock daemon runs for ${t.home}`, { hint: 'any paddock command starts one; or run `paddock serve` in a terminal' });
    await startLocalDaemon(t);
    res = await send(t, method, path, body, opts.signal);
  }
  if (res.status >= 400) throw await failure(res);
  return res;
}

/** A JSON request; resolves with the parsed answer. */
export async function call<T>(method: string, path: string, body?: unknown, opts: { signal?: AbortSignal; start?: boolean } = {}): Promise<T> {
  const res = await request(method, path, body, opts);
  return JSON.parse(await readAll(res)) as T;
}

export interface SseMessage {
  event: string;
  id?: string;
  data: string;
}

/** Server-sent events of a GET, as they come, until the stream ends or signal aborts. */
export async function* events(path: string, opts: { signal?: AbortSignal } = {}): AsyncGenerator<SseMessage> {
  let res: Response;
  try {
    res = await request('GET', path, undefined, opts);
  } catch (e) {
    if (opts.signal?.aborted) return;
    throw e;
  }
  let buffer = '';
  try {
    for await (const chunk of res.body) {
      buffer += chunk.toString('utf8');
      for (let sep = buffer.indexOf('\n\n'); sep !== -1; sep = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, sep);
        buffer = buffer.slice(sep + 2);
        const m: SseMessage = { event: 'message', data: '' };
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue; // heartbeat
          const i = line.indexOf(':');
          const field = i === -1 ? line : line.slice(0, i);
          const value = i === -1 ? '' : line.slice(i + 1).replace(/^ /, '');
          if (field === 'event') m.event = value;
          else if (field === 'id') m.id = value;
          else if (field === 'data') data.push(value);
        }
        if (data.length === 0) continue;
        m.data = data.join('\n');
        yield m;
      }
    }
  } catch (e) {
    if (opts.signal?.aborted) return;
    throw e;
  }
}

/** Newline-delimited JSON of a request (progress streams), object by object. */
export async function* ndjson(method: string, path: string, body?: unknown): AsyncGenerator<Record<string, unknown>> {
  const res = await request(method, path, body);
  let buffer = '';
  for await (const chunk of res.body) {
    buffer += chunk.toString('utf8');
    for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line) yield JSON.parse(line) as Record<string, unknown>;
    }
  }
}

const BIN = fileURLToPath(new URL('../../bin/paddock.js', import.meta.url));
const START_TIMEOUT_MS = 30_000;

export const daemonLogPath = (home: string) => join(home, 'logs', 'daemon.log');

/** Starts `paddock serve --no-tcp` for this home in the background and waits until it answers. */
export async function startLocalDaemon(t: Extract<Target, { kind: 'socket' }>): Promise<void> {
  mkdirSync(join(t.home, 'logs'), { recursive: true, mode: 0o700 });
  const logPath = daemonLogPath(t.home);
  const log = openSync(logPath, 'a', 0o600);
  const before = logSize(logPath);
  if (process.stderr.isTTY) process.stderr.write('starting the Paddock daemon…\n');
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [BIN, 'serve', '--no-tcp'], { detached: true, stdio: ['ignore', log, log], env: process.env, cwd: t.home });
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  child.unref();
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      const res = await send(t, 'GET', '/api/v1/daemon', undefined);
      await readAll(res);
      if (res.status === 200) return;
    } catch (e) {
      if (!noDaemon(e)) throw e;
    }
    // Another command may have started one at the same moment: ours then exits, and theirs answers.
    if (exited !== undefined && exited !== 0 && !answersSoon(t)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  // A daemon that refused its settings said why (its `error:` and `hint:` lines): that is the user's error to fix.
  const said = startError(logPath, before);
  if (exited === 2 && said) throw new PaddockError(ErrorCode.InvalidConfig, said.message, said.hint ? { hint: said.hint } : {});
  throw new PaddockError(
    ErrorCode.DaemonUnavailable,
    `the Paddock daemon did not start${exited === undefined ? ` within ${START_TIMEOUT_MS / 1000} s` : ` (exit ${exited})`}:\n${logTail(logPath, before)}`,
    {
      hint: `see ${logPath}; run \`paddock serve\` in a terminal to watch it start`,
    },
  );
}

function answersSoon(t: Extract<Target, { kind: 'socket' }>): boolean {
  try {
    const r = JSON.parse(readFileSync(join(t.home, 'daemon.json'), 'utf8')) as { pid: number };
    process.kill(r.pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The `error: …` / `hint: …` lines `paddock serve` printed when it would not start. */
function startError(path: string, from: number): { message: string; hint?: string } | undefined {
  try {
    const lines = readFileSync(path).subarray(from).toString('utf8').split('\n');
    const message = lines.find((l) => l.startsWith('error: '))?.slice('error: '.length);
    const hint = lines.find((l) => l.startsWith('hint: '))?.slice('hint: '.length);
    return message ? { message, ...(hint ? { hint } : {}) } : undefined;
  } catch {
    return undefined;
  }
}

function logSize(path: string): number {
  try {
    return readFileSync(path).length;
  } catch {
    return 0;
  }
}

function logTail(path: string, from: number): string {
  try {
    const text = readFileSync(path).subarray(from).toString('utf8').trim();
    return text
      .split('\n')
      .slice(-8)
      .map((l) => {
        try {
          const j = JSON.parse(l) as { msg?: string; err?: string };
          return `  ${j.msg ?? ''}${j.err ? `: ${j.err}` : ''}`;
        } catch {
          return `  ${l}`;
        }
      })
      .join('\n');
  } catch {
    return '  (no log)';
  }
}
