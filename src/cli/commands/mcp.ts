/**
 * `paddock mcp`: MCP over stdio for a local client (`claude mcp add paddock -- paddock mcp`). A thin client like the
 * rest of the CLI: every JSON-RPC message from stdin is POSTed to the daemon's /mcp (over $PADDOCK_HOME/paddock.sock,
 * or PADDOCK_URL with PADDOCK_TOKEN), and what it answers (JSON, or an event stream with progress notifications)
 * goes to stdout. The daemon owns and supervises every run, so runs spawned here outlive this process.
 */
import type * as Http from 'node:http';
import type { Command } from 'commander';
import { ErrorCode } from '../../app/light.ts';
import { call, startLocalDaemon, type Target, target } from '../client.ts';
import { withExamples } from '../help.ts';

const http = process.getBuiltinModule('node:http') as typeof Http;

/** The header by which a connection says which run it speaks for (its spawns record that parent). */
const PARENT_HEADER = 'x-paddock-parent-run';

type Message = { jsonrpc: '2.0'; id?: string | number | null; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: unknown };

export function registerMcp(program: Command): void {
  const cmd = program
    .command('mcp')
    .summary('serve MCP over stdio (for claude mcp add paddock -- paddock mcp)')
    .description(
      "Serve Paddock's MCP tools (spawn_run, get_events, wait_for_run, get_diff, merge_run, …) over stdio, for an MCP\n" +
        "client such as Claude Code. Each message goes to the daemon's /mcp endpoint (started on demand like any command;\n" +
        'PADDOCK_URL and PADDOCK_TOKEN reach a remote one), so the daemon owns every run. With --parent (or\n' +
        'PADDOCK_PARENT_RUN), the connection speaks for that run: runs it spawns record it as their parent.\n' +
        'Nothing but MCP messages is written to stdout. docs/coordinator.md has the tools and a worked example.',
    )
    .option('--parent <run-id>', 'the run this connection speaks for (default $PADDOCK_PARENT_RUN)')
    .action(async (o: { parent?: string }) => {
      const parent = o.parent ?? process.env.PADDOCK_PARENT_RUN;
      await serveStdio(parent || undefined);
    });
  withExamples(cmd, ['claude mcp add paddock -- paddock mcp   # make Claude Code a coordinator', 'paddock mcp --parent 3f2a9c1d0b7e   # a connection that speaks for run 3f2a9c1d0b7e']);
}

async function serveStdio(parent: string | undefined): Promise<void> {
  const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
  // Starts the local daemon if none answers, and checks PADDOCK_URL and its token before the client says a word.
  await call('GET', '/api/v1/daemon');
  const t = target();
  const stdio = new StdioServerTransport();
  const inflight = new Map<string | number, AbortController>();
  let protocolVersion: string | undefined;

  const send = (m: Message) => stdio.send(m as Parameters<typeof stdio.send>[0]);
  const fail = (id: string | number, code: number, message: string, data?: unknown) => send({ jsonrpc: '2.0', id, error: { code, message, ...(data === undefined ? {} : { data }) } });

  const relay = async (m: Message, request: Message) => {
    if (request.method === 'initialize' && typeof m.result?.protocolVersion === 'string') protocolVersion = m.result.protocolVersion;
    // An error the endpoint could not tie to a request (a refused header) belongs to the request that caused it.
    await send(m.id === null && m.error !== undefined && request.id !== undefined ? { ...m, id: request.id } : m);
  };

  const forward = async (msg: Message) => {
    if (msg.method === 'notifications/cancelled') {
      const id = msg.params?.requestId;
      if (typeof id === 'string' || typeof id === 'number') inflight.get(id)?.abort(); // the daemon sees the request go
      return;
    }
    const id = msg.method !== undefined && msg.id !== undefined && msg.id !== null ? msg.id : undefined;
    const abort = new AbortController();
    if (id !== undefined) inflight.set(id, abort);
    try {
      const headers: Http.OutgoingHttpHeaders = { accept: 'application/json, text/event-stream', 'content-type': 'application/json' };
      if (protocolVersion) headers['mcp-protocol-version'] = protocolVersion;
      if (parent) headers[PARENT_HEADER] = parent;
      const res = await post(t, JSON.stringify(msg), headers, abort.signal);
      const type = String(res.headers['content-type'] ?? '');
      if (res.statusCode === 202) return void res.resume();
      if (type.includes('text/event-stream')) {
        for await (const data of sseData(res)) await relay(JSON.parse(data) as Message, msg);
        return;
      }
      const text = await readAll(res);
      const body = parseJson(text);
      if (isRpc(body) || (Array.isArray(body) && body.every(isRpc))) {
        for (const m of [body].flat()) await relay(m as Message, msg);
      } else if (id !== undefined) {
        // Refused before MCP (the API's guards: 401 without a valid token, 429): its message, as an error.
        const message = typeof (body as { error?: unknown })?.error === 'string' ? (body as { error: string }).error : text.slice(0, 500);
        const code = res.statusCode === 401 ? ErrorCode.Unauthorized : res.statusCode === 403 ? ErrorCode.Forbidden : res.statusCode === 429 ? ErrorCode.RateLimited : ErrorCode.Internal;
        await fail(id, -32001, `${code}: the daemon answered HTTP ${res.statusCode}: ${message}`, { error: { code, message } });
      }
    } catch (e) {
      if (id !== undefined && !abort.signal.aborted) {
        const err = e as NodeJS.ErrnoException;
        await fail(id, -32603, `${ErrorCode.DaemonUnavailable}: the daemon did not answer: ${err.message}`);
      }
    } finally {
      if (id !== undefined) inflight.delete(id);
    }
  };

  const closed = new Promise<void>((resolve) => {
    stdio.onclose = resolve;
    process.stdin.once('end', resolve);
  });
  const pending = new Set<Promise<void>>();
  stdio.onmessage = (m) => {
    const done = forward(m as Message).finally(() => pending.delete(done));
    pending.add(done);
  };
  stdio.onerror = (e) => process.stderr.write(`paddock mcp: ${e.message}\n`);
  await stdio.start();
  await closed;
  // The client closed stdin: what it already asked is still answered (a client that is gone ends this process).
  await Promise.allSettled(pending);
}

/** One POST to /mcp; a local daemon that went away is started again once. */
async function post(t: Target, body: string, headers: Http.OutgoingHttpHeaders, signal: AbortSignal): Promise<Http.IncomingMessage> {
  try {
    return await postOnce(t, body, headers, signal);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (t.kind !== 'socket' || !['ENOENT', 'ECONNREFUSED'].includes(code)) throw e;
    await startLocalDaemon(t);
    return postOnce(t, body, headers, signal);
  }
}

async function postOnce(t: Target, body: string, headers: Http.OutgoingHttpHeaders, signal: AbortSignal): Promise<Http.IncomingMessage> {
  const https = t.kind === 'url' && t.url.protocol === 'https:' ? (await import('node:https')).default : undefined;
  return new Promise((resolve, reject) => {
    const h = { ...headers, 'content-length': Buffer.byteLength(body) };
    let req: Http.ClientRequest;
    if (t.kind === 'socket') req = http.request({ method: 'POST', socketPath: t.socket, path: '/mcp', headers: h, signal });
    else {
      if (t.token) h.authorization = `Bearer ${t.token}`;
      req = (https ?? http).request({ method: 'POST', hostname: t.url.hostname, port: t.url.port, path: `${t.url.pathname.replace(/\/$/, '')}/mcp`, headers: h, signal });
    }
    req.on('response', resolve);
    req.on('error', reject);
    req.end(body);
  });
}

async function readAll(res: Http.IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of res) text += (chunk as Buffer).toString('utf8');
  return text;
}

/** The data of each event of a text/event-stream answer, as it comes. */
async function* sseData(res: Http.IncomingMessage): AsyncGenerator<string> {
  let buffer = '';
  for await (const chunk of res) {
    buffer += (chunk as Buffer).toString('utf8').replace(/\r\n/g, '\n');
    for (let sep = buffer.indexOf('\n\n'); sep !== -1; sep = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, sep);
      buffer = buffer.slice(sep + 2);
      const data = block
        .split('\n')
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).replace(/^ /, ''));
      if (data.length) yield data.join('\n');
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isRpc = (v: unknown): boolean => typeof v === 'object' && v !== null && (v as { jsonrpc?: unknown }).jsonrpc === '2.0';
