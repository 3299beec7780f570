/**
 * PADDOCK_METRICS_ADDRESS: /metrics alone on a listener of its own, as Stromboli serves it (its default is
 * 127.0.0.1:9090), for scrapers that expect that. No authentication, so the config accepts loopback addresses only.
 * Everything else on it is a 404.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode, metricsOf, type Paddock, PaddockError } from '../app/index.ts';

export async function startMetricsListener(p: Paddock, where: { host: string; port: number }): Promise<{ address: string; close(): Promise<void> }> {
  const metrics = metricsOf(p);
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found');
      return;
    }
    metrics.render().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      (e: unknown) => res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics failed: ${String(e)}`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new PaddockError(ErrorCode.InvalidConfig, `PADDOCK_METRICS_ADDRESS ${where.host}:${where.port} is already in use`, {
              hint: 'choose another port, or unset PADDOCK_METRICS_ADDRESS and scrape GET /metrics on the API',
            })
          : e,
      ),
    );
    server.listen(where.port, where.host, () => resolve());
  });
  const a = server.address() as AddressInfo;
  return {
    address: `${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
