/**
 * The one way Paddock sends a request to the model endpoint with the real credential: the relay forwards agents'
 * calls through it, and `doctor` probes the endpoint through it, so a ✔ from doctor means the relay gets through too.
 */
import http from 'node:http';
import https from 'node:https';

export interface UpstreamCredential {
  apiKey?: string | undefined;
  oauthToken?: string | undefined;
}

/** Headers never forwarded: hop-by-hop ones, and the caller's own credentials (the run token). */
const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'x-api-key', 'authorization']);

export interface UpstreamRequest {
  upstream: URL;
  credential: UpstreamCredential;
  method: string;
  /** Path and query under the upstream's base path, e.g. /v1/messages?beta=true. */
  path: string;
  headers: http.IncomingHttpHeaders;
  timeoutMs?: number;
}

export function upstreamHeaders(incoming: http.IncomingHttpHeaders, credential: UpstreamCredential): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(incoming)) if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = v;
  if (credential.apiKey) headers['x-api-key'] = credential.apiKey;
  else if (credential.oauthToken) {
    headers.authorization = `Bearer ${credential.oauthToken}`;
    const beta = String(headers['anthropic-beta'] ?? '');
    if (!beta.includes('oauth-2025-04-20')) headers['anthropic-beta'] = beta ? `${beta},oauth-2025-04-20` : 'oauth-2025-04-20';
  }
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
      headers: upstreamHeaders(r.headers, r.credential),
    },
    onResponse,
  );
  if (r.timeoutMs) req.setTimeout(r.timeoutMs, () => req.destroy(new Error(`no answer within ${r.timeoutMs} ms`)));
  return req;
}

export type ProbeResult = { reachable: true; status: number } | { reachable: false; error: string };

/**
 * Is the endpoint there? Any HTTP answer counts (a 401 or 404 from a real endpoint means it is reachable); only a
 * failure to connect or to get an answer does not.
 */
export function probeUpstream(upstream: string, credential: UpstreamCredential, timeoutMs = 5000): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const req = requestUpstream({ upstream: new URL(upstream), credential, method: 'GET', path: '/v1/models', headers: { 'anthropic-version': '2023-06-01' }, timeoutMs }, (res) => {
      res.resume();
      resolve({ reachable: true, status: res.statusCode ?? 0 });
    });
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
