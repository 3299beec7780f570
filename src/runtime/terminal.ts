/**
 * A terminal on a container: the engine's TTY attach (the container's own shell or TUI) or a TTY exec (a new shell in a
 * live container), as a raw byte stream hijacked from the engine's HTTP connection (docs/shell.md).
 *
 * Raw HTTP over the engine's socket rather than dockerode: dockerode sends attach's options as a JSON request body, and
 * Podman 4.3's compat attach hands that body to the container's stdin (the shell ran `{"stream":true,…}` as a
 * command); and Podman answers an exec resize with 201, which dockerode calls an error. Both engines upgrade a request
 * that asks for it (`Connection: Upgrade`, `Upgrade: tcp`) with 101, then the stream is the TTY's bytes, not multiplexed.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { ErrorCode, PaddockError } from '../errors/index.ts';

export interface TtyStream {
  /** The terminal's bytes both ways. Ending or destroying it detaches (an attached container runs on). */
  socket: Duplex;
  /** Sets the terminal's size (the process gets SIGWINCH). */
  resize(cols: number, rows: number): Promise<void>;
  /** An exec's exit code once it has ended (null while it runs, and for an attach). */
  exitCode(): Promise<number | null>;
}

export interface ExecTtyRequest {
  /** "uid:gid" */
  user: string;
  workdir: string;
  cmd: string[];
  /** Added to the container's own environment. */
  env: Record<string, string>;
}

/** Attaches to a container's TTY (before or after it starts): stdin, stdout and stderr, one raw stream. */
export async function attachTty(socketPath: string, containerId: string): Promise<TtyStream> {
  const id = encodeURIComponent(containerId);
  const socket = await upgrade(socketPath, `/containers/${id}/attach?stream=1&stdin=1&stdout=1&stderr=1`, undefined, `attach to container ${containerId}`);
  return {
    socket,
    resize: (cols, rows) => resizeAt(socketPath, `/containers/${id}/resize?h=${rows}&w=${cols}`),
    exitCode: async () => null,
  };
}

/** Starts a TTY exec in a running container and returns its stream. */
export async function execTty(socketPath: string, containerId: string, req: ExecTtyRequest): Promise<TtyStream> {
  const created = await jsonRequest(socketPath, 'POST', `/containers/${encodeURIComponent(containerId)}/exec`, {
    Cmd: req.cmd,
    User: req.user,
    WorkingDir: req.workdir,
    Env: Object.entries(req.env).map(([k, v]) => `${k}=${v}`),
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: true,
    Privileged: false,
  });
  if (created.status !== 201) throw engineFailure(`exec in container ${containerId}`, created);
  const execId = encodeURIComponent(String((JSON.parse(created.body) as { Id?: string }).Id ?? ''));
  const socket = await upgrade(socketPath, `/exec/${execId}/start`, { Detach: false, Tty: true }, `start the exec in container ${containerId}`);
  return {
    socket,
    resize: (cols, rows) => resizeAt(socketPath, `/exec/${execId}/resize?h=${rows}&w=${cols}`),
    exitCode: async () => {
      const r = await jsonRequest(socketPath, 'GET', `/exec/${execId}/json`);
      if (r.status !== 200) return null;
      const j = JSON.parse(r.body) as { Running?: boolean; ExitCode?: number | null };
      return j.Running ? null : (j.ExitCode ?? null);
    },
  };
}

/** A resize; Docker answers 200, Podman 4.3 201 (for an exec). A container that has just ended cannot be resized: no error. */
async function resizeAt(socketPath: string, path: string): Promise<void> {
  const r = await jsonRequest(socketPath, 'POST', path);
  if (r.status >= 400 && r.status !== 404 && r.status !== 409 && r.status !== 500) throw engineFailure('resize the terminal', r);
}

/** An engine request upgraded to a raw stream (101): attach, exec start. */
export function upgrade(socketPath: string, path: string, body: unknown, what: string): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({
      socketPath,
      method: 'POST',
      path,
      headers: { Connection: 'Upgrade', Upgrade: 'tcp', ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}) },
    });
    req.on('upgrade', (_res, socket, head) => {
      if (head.length > 0) socket.unshift(head);
      socket.setNoDelay?.(true);
      resolve(socket);
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString('utf8')));
      res.on('end', () => reject(engineFailure(what, { status: res.statusCode ?? 0, body: text })));
    });
    req.on('error', (e) => reject(new PaddockError(ErrorCode.EngineUnavailable, `could not ${what}: ${e.message}`, { hint: 'check that the container engine runs (paddock doctor)' })));
    req.end(payload);
  });
}

export function jsonRequest(socketPath: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request({ socketPath, method, path, headers: payload ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {} }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

export function engineFailure(what: string, r: { status: number; body: string }): PaddockError {
  let message = r.body.trim();
  try {
    message = String((JSON.parse(r.body) as { message?: string }).message ?? message);
  } catch {
    // not JSON
  }
  const code = r.status === 404 ? ErrorCode.NotFound : r.status === 409 ? ErrorCode.Conflict : ErrorCode.Internal;
  return new PaddockError(code, `could not ${what}: the engine answered ${r.status}: ${message.slice(0, 300)}`, {
    hint: code === ErrorCode.Conflict ? 'the container is not running: see `paddock status <id>`' : 'see `paddock status <id>`',
  });
}
