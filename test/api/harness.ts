/**
 * A real daemon for API tests: `paddock serve` (bin/paddock.js → dist/) in a fresh PADDOCK_HOME, on a free loopback
 * port and its unix socket, with the scripted model, against the real Podman engine. Everything it made is removed after.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { BIN, paddockEnv, until, type Env } from '../e2e/harness.ts';

export interface Daemon {
  e: Env;
  /** http://127.0.0.1:<port> */
  url: string;
  socket: string;
  child: ChildProcess;
  log(): string;
  /** fetch against the daemon's TCP address. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** JSON request; returns status and parsed body (text when not JSON). */
  json(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  /** The same request over the unix socket (what the CLI uses). */
  viaSocket(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** SIGKILL, and wait for the process to be gone. */
  kill(): Promise<void>;
  /** SIGTERM, and wait for it to exit; returns its exit code. */
  stop(): Promise<number | null>;
  /** Start the daemon again on the same home (and the same port when it is free). */
  restart(): Promise<Daemon>;
}

export async function startDaemon(t: TestContext, extraEnv: NodeJS.ProcessEnv = {}, existing?: Env): Promise<Daemon> {
  const e = existing ?? (await paddockEnv(t, extraEnv));
  const logFile = join(mkdtempSync(join(tmpdir(), 'paddock-daemon-log-')), 'daemon.log');
  let out = '';
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { env: { ...e.env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (out += d));
  child.stderr!.on('data', (d: Buffer) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const record = await until(
    () => {
      if (child.exitCode !== null) throw new Error(`paddock serve exited ${child.exitCode}:\n${out}`);
      try {
        const r = JSON.parse(readFileSync(join(e.home, 'daemon.json'), 'utf8')) as { pid: number; tcp: string | null; socket: string };
        return r.pid === child.pid && r.tcp ? r : undefined;
      } catch {
        return undefined;
      }
    },
    'the daemon to listen',
    60_000,
    50,
  );
  const url = `http://${record.tcp}`;
  const d: Daemon = {
    e,
    url,
    socket: record.socket,
    child,
    log: () => out || logFile,
    fetch: (path, init) => fetch(`${url}${path}`, init),
    json: async (method, path, body, headers = {}) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* text */
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    viaSocket: (method, path, body) =>
      new Promise((resolve, reject) => {
        const req = http.request({ socketPath: record.socket, path, method, headers: body === undefined ? {} : { 'content-type': 'application/json' } }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => {
            let b: unknown = text;
            try {
              b = JSON.parse(text);
            } catch {
              /* text */
            }
            resolve({ status: res.statusCode ?? 0, body: b });
          });
        });
        req.on('error', reject);
        req.end(body === undefined ? undefined : JSON.stringify(body));
      }),
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
    restart: () => startDaemon(t, extraEnv, e),
  };
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
  return d;
}
