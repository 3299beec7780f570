/**
 * The per-run model gateway: an HTTP server on a unix socket in the run's directory. The container (no network)
 * reaches it through that socket; it accepts only the run's capability token, forwards only the three model calls
 * (request-target.ts) with bodies that pass the run's policy (policy.ts) and while the budget lasts (admit), and
 * sends them to the real upstream with the real credential, which never enters the container. Loopback upstreams
 * work because it runs on the host. It sees every answer, so it counts the run's tokens as they stream (the only
 * source of a run's usage and cost), and it notices when the upstream is unreachable. docs/gateway.md has the rules.
 */
import { mkdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import { restrictSocket } from '../runtime/socket-access.ts';
import { dirname } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { checkBody, type GatewayPolicy } from './policy.ts';
import { checkTarget } from './request-target.ts';
import { describeUpstreamError, requestUpstream, type UpstreamCredential } from './upstream.ts';
import { UsageTap, type UsageIncrement } from './usage-tap.ts';
import { VENDORS, type Vendor } from './vendors.ts';

export type { UpstreamCredential } from './upstream.ts';

export interface ModelRelayOptions {
  socketPath: string;
  upstream: string;
  token: string;
  /** Whose API this relay fronts (its calls, how the token arrives, how usage is read): Anthropic's by default. */
  vendor?: Vendor;
  /** The credential, read at each request (an imported OAuth login is refreshed in one place, between requests). */
  credential: UpstreamCredential | (() => UpstreamCredential | Promise<UpstreamCredential>);
  /** Model allowlist and max_tokens cap (none: any model, any max_tokens). */
  policy?: GatewayPolicy;
  /** The largest request body taken (default 32 MiB); a larger one is refused. */
  maxBodyBytes?: number;
  /** Upstream timeouts: to connect, and with no bytes coming (before and during an answer). */
  connectTimeoutMs?: number;
  idleTimeoutMs?: number;
  /**
   * Asked before each request is forwarded (after its body passed the policy), with the model it names: a reason to
   * refuse it (the budget is spent, the model has no price to count a budget with), or undefined to let it through.
   */
  admit?: (model: string | undefined) => string | undefined;
  /** A request the gateway refused (never forwarded): what, and why. */
  onRefused?: (r: Refusal) => void;
  /** Tokens of each answer, as they stream (increments; add them up). */
  onUsage?: (u: UsageIncrement) => void;
  /** The upstream could not be reached (no HTTP answer): what failed, in words. */
  onUpstreamError?: (message: string) => void;
  /** The upstream answered (any HTTP status). */
  onUpstreamAnswer?: (status: number) => void;
}

export interface Refusal {
  method: string;
  /** The request target as sent (cut to 300 characters). */
  target: string;
  status: number;
  why: string;
}

export interface ModelRelay {
  socketPath: string;
  /** From now on the run's token is refused (401): the run has ended. */
  revoke(): void;
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY = 32 * 1024 * 1024;

export async function startModelRelay(opts: ModelRelayOptions): Promise<ModelRelay> {
  const upstream = new URL(opts.upstream);
  const expected = Buffer.from(opts.token);
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const policy = opts.policy ?? {};
  const vendor = opts.vendor ?? VENDORS.anthropic;
  let revoked = false;

  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    const target = req.url ?? '';
    const refuse = (status: number, type: string, why: string, record = true) => {
      if (record) opts.onRefused?.({ method, target: target.slice(0, 300), status, why });
      req.resume();
      if (res.headersSent) return void res.destroy();
      res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
      res.end(JSON.stringify({ type: 'error', error: { type, message: `paddock gateway: ${why}` } }));
    };
    if (revoked) return refuse(401, 'authentication_error', 'the run has ended: its token is revoked');
    if (!authorized(vendor, req, expected)) return refuse(401, 'authentication_error', 'bad run token');
    const t = checkTarget(method, target, vendor);
    if (!t.ok) return refuse(t.status, t.status === 403 ? 'permission_error' : t.status === 405 ? 'invalid_request_error' : 'invalid_request_error', t.why);

    // The body is read whole (bounded), parsed and checked before anything reaches the upstream.
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > maxBody) {
        over = true;
        chunks.length = 0;
        refuse(413, 'request_too_large', `request body above ${maxBody} bytes`);
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (over) return;
      let body: Buffer | undefined;
      let model: string | undefined;
      if (t.body) {
        const checked = checkBody(policy, Buffer.concat(chunks), { maxTokensField: t.call.maxTokensField, capWhenMissing: t.call.capWhenMissing, pathModel: t.call.modelFromPath?.(t.path) });
        if (!checked.ok) return refuse(checked.status, checked.type, checked.why);
        body = checked.body;
        model = checked.model;
      } else if (size > 0) return refuse(400, 'invalid_request_error', `${method} ${t.path} takes no body`);
      const denied = opts.admit?.(model);
      if (denied) return refuse(400, 'invalid_request_error', denied);
      void forward(req, res, t.path + (t.query ? `?${t.query}` : ''), body, t.call.counts).catch((e: unknown) => refuse(502, 'api_error', `could not forward: ${String(e)}`, false));
    });
  });

  async function forward(req: http.IncomingMessage, res: http.ServerResponse, path: string, body: Buffer | undefined, counts: boolean): Promise<void> {
    const credential = typeof opts.credential === 'function' ? await opts.credential() : opts.credential;
    if (res.destroyed) return; // the client hung up meanwhile
    const headers = { ...req.headers, ...(body ? { 'content-type': 'application/json' } : {}) };
    let upRes: http.IncomingMessage | undefined;
    const up = requestUpstream(
      {
        upstream,
        credential,
        vendor,
        method: req.method ?? 'GET',
        path,
        headers,
        ...(opts.idleTimeoutMs ? { timeoutMs: opts.idleTimeoutMs } : {}),
        ...(opts.connectTimeoutMs ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
      },
      (r) => {
        upRes = r;
        opts.onUpstreamAnswer?.(r.statusCode ?? 0);
        res.writeHead(r.statusCode ?? 502, responseHeaders(r.headers));
        if (counts && opts.onUsage && (r.statusCode ?? 0) < 300) {
          const tap = new UsageTap(String(r.headers['content-type'] ?? ''), opts.onUsage, vendor);
          r.on('data', (c: Buffer) => tap.write(c));
          r.on('end', () => tap.end());
          r.on('aborted', () => tap.end());
        }
        r.on('error', () => res.destroy());
        r.pipe(res);
      },
    );
    up.on('error', (e) => {
      const message = describeUpstreamError(e);
      if (!res.headersSent) {
        opts.onUpstreamError?.(message);
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: `paddock gateway: upstream unreachable: ${message}` } }));
      } else res.destroy(); // cut mid-answer (idle timeout, reset): the client sees the stream end early
    });
    // A client that hangs up ends the upstream request (and its stream) at once.
    res.on('close', () => {
      if (!res.writableFinished) {
        up.destroy();
        upRes?.destroy();
      }
    });
    up.end(body);
  }

  mkdirSync(dirname(opts.socketPath), { recursive: true });
  rmSync(opts.socketPath, { force: true }); // a previous supervisor's socket (it was killed): replace it
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.socketPath, () => resolve());
  });
  // The agent runs as UID 1000 in the container; connecting to a unix socket needs write permission on it.
  // Only the run's container identity (the relay directory's owner) may connect: runtime/socket-access.ts.
  restrictSocket(opts.socketPath);
  return {
    socketPath: opts.socketPath,
    revoke: () => {
      revoked = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The upstream's answer headers without its hop-by-hop ones (this connection's framing is the gateway's own). */
const RESPONSE_DROPPED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-authenticate', 'proxy-connection', 'set-cookie']);
function responseHeaders(h: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !RESPONSE_DROPPED.has(k)) out[k] = v;
  return out;
}

/** The run's token, where its vendor's CLI sends it (vendors.ts tokenOf). */
function authorized(vendor: Vendor, req: http.IncomingMessage, expected: Buffer): boolean {
  const url = req.url ?? '';
  const q = url.indexOf('?');
  const given = Buffer.from(vendor.tokenOf(req.headers, new URLSearchParams(q === -1 ? '' : url.slice(q + 1))) ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
