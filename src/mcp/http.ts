/**
 * MCP over streamable HTTP, for the daemon's `/mcp` (behind the API's guards). Stateless: every POST gets its own
 * server and transport, so nothing is kept between requests and any daemon answers any request; a tool's progress
 * notifications go out on that request's own event stream. A caller that speaks for a run (a coordinator inside
 * Paddock) says so with the X-Paddock-Parent-Run header.
 */
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Paddock } from '../app/index.ts';
import { asPaddockError, errorBody, type McpLog } from './errors.ts';
import { createMcpServer } from './server.ts';

export const PARENT_HEADER = 'x-paddock-parent-run';

export interface McpHttpOptions {
  /** Aborts when the daemon stops: waiting tools end. */
  shutdown?: AbortSignal;
  log?: McpLog;
}

const rpcError = (status: number, code: number, message: string, data?: unknown) =>
  Response.json({ jsonrpc: '2.0', id: null, error: { code, message, ...(data === undefined ? {} : { data }) } }, { status, headers: status === 405 ? { allow: 'POST' } : {} });

/** Answers one HTTP request to the MCP endpoint. */
export function mcpHttpHandler(p: Paddock, opts: McpHttpOptions = {}): (req: Request) => Promise<Response> {
  return serve(p, opts, (req) => ({ parentRunId: req.headers.get(PARENT_HEADER) ?? undefined }));
}

/**
 * The same endpoint for one run's own connection (its mcp.sock, app/coordinator.ts): the identity is the run, fixed
 * here by the socket a request came in on (a parent header is ignored), and the run's least privilege applies.
 */
export function mcpRunHandler(p: Paddock, runId: string, opts: McpHttpOptions = {}): (req: Request) => Promise<Response> {
  return serve(p, opts, () => ({ parentRunId: runId, asRun: true }));
}

function serve(p: Paddock, opts: McpHttpOptions, identity: (req: Request) => { parentRunId: string | undefined; asRun?: boolean }): (req: Request) => Promise<Response> {
  return async (req) => {
    // No standalone event stream and no sessions to end: a stateless server has nothing to send outside a request.
    if (req.method !== 'POST') return rpcError(405, -32000, `${req.method} is not supported here: send JSON-RPC messages with POST (a stateless server)`);
    let server: ReturnType<typeof createMcpServer>;
    try {
      const signal = AbortSignal.any([req.signal, ...(opts.shutdown ? [opts.shutdown] : [])]);
      server = createMcpServer(p, { ...identity(req), signal, ...(opts.log ? { log: opts.log } : {}) });
    } catch (e) {
      const err = asPaddockError(e, opts.log);
      return rpcError(400, -32602, `${err.code}: ${err.message}`, errorBody(err));
    }
    const transport = new WebStandardStreamableHTTPServerTransport({}); // no sessionIdGenerator: stateless;
    await server.connect(transport);
    return transport.handleRequest(req); // server and transport go with the request once it is answered
  };
}
