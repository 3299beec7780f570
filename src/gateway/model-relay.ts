/**
 * The per-run model relay: an HTTP server on a unix socket in the run's directory. The container (no network)
 * reaches it through that socket; it accepts only the run's capability token and forwards to the real upstream
 * with the real credential, which never enters the container. Loopback upstreams work because it runs on the host.
 */
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { dirname } from 'node:path';
import { timingSafeEqual } from 'node:crypto';

export interface UpstreamCredential {
  apiKey?: string | undefined;
  oauthToken?: string | undefined;
}

export interface ModelRelayOptions {
  socketPath: string;
  upstream: string;
  token: string;
  credential: UpstreamCredential;
}

export interface ModelRelay {
  socketPath: string;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['host', 'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'x-api-key', 'authorization']);

export async function startModelRelay(opts: ModelRelayOptions): Promise<ModelRelay> {
  const upstream = new URL(opts.upstream);
  const client = upstream.protocol === 'https:' ? https : http;
  const expected = Buffer.from(opts.token);

  const server = http.createServer((req, res) => {
    if (!authorized(req, expected)) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: 'paddock relay: bad run token' } }));
      return;
    }
    const headers: http.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(req.headers)) if (!HOP_BY_HOP.has(k) && v !== undefined) headers[k] = v;
    if (opts.credential.apiKey) headers['x-api-key'] = opts.credential.apiKey;
    else if (opts.credential.oauthToken) {
      headers.authorization = `Bearer ${opts.credential.oauthToken}`;
      const beta = String(headers['anthropic-beta'] ?? '');
      if (!beta.includes('oauth-2025-04-20')) headers['anthropic-beta'] = beta ? `${beta},oauth-2025-04-20` : 'oauth-2025-04-20';
    }
    const path = upstream.pathname.replace(/\/$/, '') + (req.url ?? '/');
    const up = client.request(
      { protocol: upstream.protocol, hostname: upstream.hostname, port: upstream.port, method: req.method, path, headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
      },
    );
    up.on('error', (e) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: `paddock relay: upstream unreachable: ${e.message}` } }));
    });
    req.on('aborted', () => up.destroy());
    req.pipe(up);
  });

  mkdirSync(dirname(opts.socketPath), { recursive: true });
  rmSync(opts.socketPath, { force: true }); // a previous supervisor's socket (it was killed): replace it
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.socketPath, () => resolve());
  });
  // The agent runs as UID 1000 in the container; connecting to a unix socket needs write permission on it.
  chmodSync(opts.socketPath, 0o666);
  return {
    socketPath: opts.socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function authorized(req: http.IncomingMessage, expected: Buffer): boolean {
  const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const given = Buffer.from(String(req.headers['x-api-key'] ?? bearer ?? ''));
  return given.length === expected.length && timingSafeEqual(given, expected);
}
