/**
 * The per-run model relay: an HTTP server on a unix socket in the run's directory. The container (no network)
 * reaches it through that socket; it accepts only the run's capability token and forwards to the real upstream
 * with the real credential, which never enters the container. Loopback upstreams work because it runs on the host.
 * It sees every answer, so it counts the run's tokens as they stream, and it notices when the upstream is unreachable.
 */
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import { dirname } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { describeUpstreamError, requestUpstream, type UpstreamCredential } from './upstream.ts';
import { UsageTap, type UsageIncrement } from './usage-tap.ts';

export type { UpstreamCredential } from './upstream.ts';

export interface ModelRelayOptions {
  socketPath: string;
  upstream: string;
  token: string;
  credential: UpstreamCredential;
  /** Tokens of each answer, as they stream (increments; add them up). */
  onUsage?: (u: UsageIncrement) => void;
  /** The upstream could not be reached (no HTTP answer): what failed, in words. */
  onUpstreamError?: (message: string) => void;
  /** The upstream answered (any HTTP status). */
  onUpstreamAnswer?: (status: number) => void;
}

export interface ModelRelay {
  socketPath: string;
  close(): Promise<void>;
}

export async function startModelRelay(opts: ModelRelayOptions): Promise<ModelRelay> {
  const upstream = new URL(opts.upstream);
  const expected = Buffer.from(opts.token);

  const server = http.createServer((req, res) => {
    if (!authorized(req, expected)) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: 'paddock relay: bad run token' } }));
      return;
    }
    const counts = req.method === 'POST' && /^\/v1\/messages(\?|$)/.test(req.url ?? '');
    const up = requestUpstream({ upstream, credential: opts.credential, method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers }, (upRes) => {
      opts.onUpstreamAnswer?.(upRes.statusCode ?? 0);
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      if (counts && opts.onUsage && (upRes.statusCode ?? 0) < 300) {
        const tap = new UsageTap(String(upRes.headers['content-type'] ?? ''), opts.onUsage);
        upRes.on('data', (c: Buffer) => tap.write(c));
        upRes.on('end', () => tap.end());
      }
      upRes.pipe(res);
    });
    up.on('error', (e) => {
      const message = describeUpstreamError(e);
      if (!res.headersSent) {
        opts.onUpstreamError?.(message);
        res.writeHead(502, { 'content-type': 'application/json' });
      }
      res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: `paddock relay: upstream unreachable: ${message}` } }));
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
