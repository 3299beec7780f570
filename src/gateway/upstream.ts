/**
 * The one way Paddock sends a request to the model endpoint with the real credential: the relay forwards agents'
 * calls through it, and `doctor` probes the endpoint through it, so a ✔ from doctor means the relay gets through too.
 */
import http from 'node:http';
import https from 'node:https';
import { VENDORS, type Vendor } from './vendors.ts';

export interface UpstreamCredential {
  apiKey?: string | undefined;
  oauthToken?: string | undefined;
}

/**
 * Headers never forwarded: hop-by-hop ones (and any the Connection header names), proxy-ish ones that could make the
 * upstream (or a proxy before it) think the request came from elsewhere or for another host, the body's framing (the
 * gateway sends the body it checked, with its own length), and the caller's own credentials (the run token).
 * Host is the upstream's own (Node sets it from the URL).
 */
const DROPPED = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'proxy-authenticate',
  'transfer-encoding',
  'content-length',
  'expect',
  'upgrade',
  'te',
  'trailer',
  'forwarded',
  'via',
  'x-real-ip',
  'x-client-ip',
  'true-client-ip',
  'x-original-url',
  'x-rewrite-url',
  'x-original-host',
  'x-host',
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
  'x-api-key',
  'authorization',
  'cookie',
  // Other vendors' ways of sending a key, and OpenAI's account selectors (the host's key picks its own project).
  'x-goog-api-key',
  'openai-organization',
  'openai-project',
]);
const droppedHeader = (k: string) => DROPPED.has(k) || k.startsWith('x-forwarded-') || k.startsWith('proxy-');

export interface UpstreamRequest {
  upstream: URL;
  credential: UpstreamCredential;
  /** Whose endpoint (how the credential is sent): Anthropic's by default. */
  vendor?: Vendor;
  method: string;
  /** Path and query under the upstream's base path, e.g. /v1/messages?beta=true. */
  path: string;
  headers: http.IncomingHttpHeaders;
  /** No answer (or, once answering, no bytes) for this long: the request is ended with an error. */
  timeoutMs?: number;
  /** No connection to the upstream within this long: the request is ended with an error. */
  connectTimeoutMs?: number;
}

export function upstreamHeaders(incoming: http.IncomingHttpHeaders, credential: UpstreamCredential, vendor: Vendor = VENDORS.anthropic): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = {};
  const named = new Set(
    String(incoming.connection ?? '')
      .toLowerCase()
      .split(',')
      .map((t) => t.trim()),
  );
  for (const [k, v] of Object.entries(incoming)) if (!droppedHeader(k) && !named.has(k) && v !== undefined) headers[k] = v;
  vendor.applyCredential(headers, credential);
  return headers;
}

export function requestUpstream(r: UpstreamRequest, onResponse: (res: http.IncomingMessage) => void): http.ClientRequest {
  const client = r.upstream.protocol === 'https:' ? https : http;
  const req = client.request(
    {
      protocol: r.upstream.protocol,
      hostname: r.upstream.hostname,
      port: r.upstream.port,
      method: r.method,
      path: r.upstream.pathname.replace(/\/$/, '') + r.path,
      headers: upstreamHeaders(r.headers, r.credential, r.vendor),
    },
    onResponse,
  );
  if (r.timeoutMs) req.setTimeout(r.timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${r.timeoutMs} ms`), { code: 'PADDOCK_IDLE_TIMEOUT' })));
  if (r.connectTimeoutMs) {
    const ms = r.connectTimeoutMs;
    req.once('socket', (socket) => {
      if (!socket.connecting) return;
      const timer = setTimeout(() => req.destroy(Object.assign(new Error(`no connection within ${ms} ms`), { code: 'PADDOCK_CONNECT_TIMEOUT' })), ms);
      socket.once('connect', () => clearTimeout(timer));
      socket.once('close', () => clearTimeout(timer));
    });
  }
  return req;
}

export type ProbeResult = { reachable: true; status: number } | { reachable: false; error: string };

/**
 * Is the endpoint there? Any HTTP answer counts (a 401 or 404 from a real endpoint means it is reachable); only a
 * failure to connect or to get an answer does not.
 */
export function probeUpstream(upstream: string, credential: UpstreamCredential, timeoutMs = 5000, vendor: Vendor = VENDORS.anthropic): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const req = requestUpstream(
      { upstream: new URL(upstream), credential, vendor, method: 'GET', path: vendor.probe.path, headers: vendor.probe.headers as http.IncomingHttpHeaders, timeoutMs },
      (res) => {
        res.resume();
        resolve({ reachable: true, status: res.statusCode ?? 0 });
      },
    );
    req.on('error', (e) => resolve({ reachable: false, error: describeUpstreamError(e) }));
    req.end();
  });
}

/** A connection error in words: "connection refused (127.0.0.1:1)" rather than "connect ECONNREFUSED …". */
export function describeUpstreamError(e: Error): string {
  const err = e as NodeJS.ErrnoException & { address?: string; port?: number; hostname?: string };
  const where = err.address ? ` (${err.address}${err.port ? `:${err.port}` : ''})` : err.hostname ? ` (${err.hostname})` : '';
  switch (err.code) {
    case 'ECONNREFUSED':
      return `connection refused${where}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host not found${where}`;
    case 'ETIMEDOUT':
      return `connection timed out${where}`;
    case 'ECONNRESET':
      return `connection reset${where}`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `no route to host${where}`;
    default:
      return e.message;
  }
}
