/**
 * Interactive sessions over the API (docs/shell.md): POST /api/v1/shells starts a shell run; GET
 * /api/v1/runs/{id}/terminal, upgraded to a WebSocket, is a terminal on a run. Binary frames carry the terminal's
 * bytes both ways; text frames carry JSON control messages (client: {"type":"resize","cols","rows"}; server:
 * {"type":"exit","code"} when the terminal's process ended, {"type":"error","code","message","hint"} before a close).
 *
 * The upgrade goes through the app's routes first (guards, auth, rate limits, the run's checks), so a refusal is an
 * ordinary error response; only then is the WebSocket accepted and the engine's TTY stream joined to it.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import {
  checkTerminal,
  ErrorCode,
  isPaddockError,
  openTerminal,
  type Paddock,
  PaddockError,
  runView,
  runViewSchema,
  shellInputSchema,
  startShell,
  TERMINAL_MODES,
  terminalControlSchema,
} from '../../app/index.ts';
import type { ApiEnv } from '../context.ts';
import { errorBody } from '../errors.ts';
import { errorResponses, json } from '../schemas.ts';

const tags = ['runs'];
const TERMINAL_PATH = /^\/api\/v1\/runs\/[^/]+\/terminal$/;

export function registerShellRoutes(app: OpenAPIHono<ApiEnv>, p: Paddock): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/shells',
      tags,
      summary: 'Start a shell run: a terminal in a fresh run container, on its own checkout and branch (open it with GET /api/v1/runs/{id}/terminal?mode=attach)',
      request: { body: { required: true, content: { 'application/json': { schema: shellInputSchema.meta({ id: 'ShellRequest' }) } } } },
      responses: { 201: json(runViewSchema, 'The shell run, as recorded (interactive: shell)'), ...errorResponses },
    }),
    async (c) => c.json(runView(p, await startShell(p, c.req.valid('json'))), 201),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/runs/{id}/terminal',
      tags,
      summary:
        "A terminal on a live run, as a WebSocket (send Upgrade: websocket): mode attach joins an interactive run's own TTY, mode exec opens a new shell in the run's container as its UID. Binary frames: the terminal's bytes; text frames: JSON control messages (docs/shell.md)",
      request: {
        params: z.object({ id: z.string().min(1).max(64).describe('Run id, or a unique prefix of it') }),
        query: z.object({ mode: z.enum(TERMINAL_MODES).default('exec').describe("attach: the interactive run's own terminal; exec: a new shell beside whatever runs (default)") }),
      },
      responses: {
        101: { description: 'Switching to the WebSocket' },
        200: json(z.object({ runId: z.string() }), "Only to the daemon's own check of an upgrade request (never to a client)"),
        426: json(z.object({ error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }) }), 'Not a WebSocket upgrade request'),
        ...errorResponses,
      },
    }),
    (c) => {
      const run = checkTerminal(p, c.req.valid('param').id, c.req.valid('query').mode);
      if (!c.env?.terminalUpgrade) {
        const e = new PaddockError(ErrorCode.InvalidInput, 'this endpoint is a WebSocket: the request did not ask to upgrade', {
          hint: 'connect with a WebSocket client (Upgrade: websocket), e.g. `paddock shell <id>`',
        });
        return c.json(errorBody(e), 426);
      }
      return c.json({ runId: run.id }, 200);
    },
  );
}

/** What the daemon calls for an HTTP upgrade on one of its listeners (unix socket or TCP). */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, transport: 'unix' | 'tcp') => void;

/**
 * The daemon's upgrade handler: asks the app (through its fetch, with every guard) whether this terminal may open, then
 * accepts the WebSocket and joins it to the run's TTY. Every terminal closes when shutdown aborts.
 */
export function terminalUpgrades(
  p: Paddock,
  fetch: (req: Request, env: ApiEnv['Bindings']) => Response | Promise<Response>,
  shutdown: AbortSignal,
  log: { warn(obj: object, msg?: string): void },
): UpgradeHandler {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  shutdown.addEventListener('abort', () => {
    for (const ws of wss.clients) ws.close(1001, 'the daemon is stopping');
  });
  return (req, socket, head, transport) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://paddock.local');
      if (!TERMINAL_PATH.test(url.pathname) || (req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
        return refuse(socket, 404, { error: { code: ErrorCode.NotFound, message: `no upgrade at ${url.pathname}`, hint: 'terminals are at /api/v1/runs/{id}/terminal' } });
      }
      // A browser opens WebSockets to any address without CORS: a page must not reach a terminal through the user's
      // browser (loopback TCP without auth, or a cookie). Only clients without an Origin (the CLI) or from the daemon's own.
      if (!sameOrigin(req)) {
        return refuse(socket, 403, {
          error: {
            code: ErrorCode.Forbidden,
            message: `a terminal cannot be opened from origin ${String(req.headers.origin).slice(0, 200)}`,
            hint: 'connect from the CLI (paddock shell), or from a page the daemon serves',
          },
        });
      }
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v);
      const answer = await fetch(new Request(url, { method: 'GET', headers }), { transport, incoming: req, terminalUpgrade: true });
      if (answer.status !== 200) return refuse(socket, answer.status, await answer.json().catch(() => ({})));
      const { runId } = (await answer.json()) as { runId: string };
      const mode = url.searchParams.get('mode') === 'attach' ? 'attach' : 'exec';
      wss.handleUpgrade(req, socket, head, (ws) => void join(p, ws, runId, mode, log));
    })().catch((e: unknown) => {
      log.warn({ err: String(e) }, 'terminal upgrade failed');
      socket.destroy();
    });
  };
}

/** Joins the WebSocket to a terminal on the run until either side ends. */
async function join(p: Paddock, ws: WebSocket, runId: string, mode: 'attach' | 'exec', log: { warn(obj: object, msg?: string): void }): Promise<void> {
  const gone = new AbortController();
  ws.once('close', () => gone.abort());
  // What the client sends before the terminal is open (typed ahead) waits for it, up to a bound.
  let early: { data: Buffer; isBinary: boolean }[] | undefined = [];
  let earlyBytes = 0;
  const onEarly = (data: RawData, isBinary: boolean) => {
    const bytes = bufferOf(data);
    earlyBytes += bytes.length;
    if (early && earlyBytes <= MAX_EARLY_BYTES) early.push({ data: bytes, isBinary });
  };
  ws.on('message', onEarly);
  let terminal: Awaited<ReturnType<typeof openTerminal>>;
  try {
    terminal = await openTerminal(p, runId, mode, { signal: gone.signal });
  } catch (e) {
    const pe = isPaddockError(e) ? e : new PaddockError(ErrorCode.Internal, (e as Error).message, {});
    if (!isPaddockError(e)) log.warn({ runId, err: String(e) }, 'terminal failed to open');
    sendControl(ws, { type: 'error', code: pe.code, message: pe.message, ...(pe.hint ? { hint: pe.hint } : {}) });
    ws.close(1011, 'no terminal');
    return;
  }
  const { tty } = terminal;
  sendControl(ws, { type: 'ready', runId: terminal.run.id, mode });
  tty.socket.on('data', (b: Buffer) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(b, { binary: true });
  });
  tty.socket.on('error', () => {});
  const onMessage = (data: RawData, isBinary: boolean) => {
    const bytes = bufferOf(data);
    if (isBinary) {
      tty.socket.write(bytes);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch {
      parsed = undefined;
    }
    const control = terminalControlSchema.safeParse(parsed);
    if (!control.success) return sendControl(ws, { type: 'error', code: ErrorCode.InvalidInput, message: 'a text frame must be a control message: {"type":"resize","cols":N,"rows":N}' });
    void tty.resize(control.data.cols, control.data.rows).catch((e: unknown) => log.warn({ runId, err: String(e) }, 'terminal resize failed'));
  };
  ws.off('message', onEarly);
  for (const m of early ?? []) onMessage(m.data, m.isBinary);
  early = undefined;
  ws.on('message', onMessage);
  // The client left (detached): the engine stream is let go; an attached container runs on.
  ws.once('close', () => tty.socket.destroy());
  // The terminal's process ended (the shell exited): say so, then close.
  tty.socket.once('close', () => {
    void (async () => {
      const code = await tty.exitCode().catch(() => null);
      sendControl(ws, { type: 'exit', code });
      ws.close(1000, 'the terminal ended');
    })();
  });
}

/** No Origin header (not a browser), or the one of the address the request was sent to. */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

const MAX_EARLY_BYTES = 64 * 1024;

const bufferOf = (data: RawData): Buffer => (Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data));

function sendControl(ws: WebSocket, msg: Record<string, unknown>): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
}

/** An HTTP error answer on a socket that asked to upgrade, then closed. */
function refuse(socket: Duplex, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : status === 403 ? 'Forbidden' : 'Refused'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}
