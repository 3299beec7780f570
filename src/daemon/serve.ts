/**
 * The daemon: one long-lived process per PADDOCK_HOME that supervises every run in-process, hosts their model
 * relays, and serves the API on a unix socket ($PADDOCK_HOME/paddock.sock, mode 0600, for the local CLI) and on TCP.
 * It adopts live runs on start and every 30 s; SIGTERM drains (stops accepting, lets go of its runs at once, closes
 * relays and the database); after SIGKILL the next daemon adopts every run and stores each line once.
 */
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import pino from 'pino';
import { type Config, ErrorCode, loadConfig, openPaddock, PaddockError, processStart, reconcile, VERSION } from '../app/index.ts';
import { logLineFields, metricsOf, nodeDebugWantsPaddock, setLogSink, startTracing } from '../app/index.ts';
import { startMetricsListener } from './metrics-listener.ts';
import { createApi, terminalUpgrades } from '../api/index.ts';
import { compatErrorResponse, compatRoutes } from '../api/compat/index.ts';
import { compatAgentRoutes } from '../api/compat/agents.ts';
import { expireFinishedContainers } from '../app/index.ts';
import { Authenticator, Notifier, serveCoordinatorMcp, WebhookDispatcher } from '../app/index.ts';
import { createGuards, registerAuthRoutes } from '../api/index.ts';
import { claimHome, updateRecord } from './lock.ts';
import { mcpHttpHandler, mcpRunHandler } from '../mcp/index.ts';

export interface ServeOptions {
  /** TCP address to listen on as well; null: the unix socket only (a daemon the CLI started). */
  tcp: { host: string; port: number } | null;
  config?: Config;
}

export interface RunningDaemon {
  socket: string;
  /** host:port actually bound, when listening on TCP. */
  tcp: string | null;
  /** Drains and exits the process's servers (what SIGTERM does). */
  stop(): Promise<void>;
  stopped: Promise<void>;
}

const RECONCILE_EVERY_MS = 30_000;

export const socketPathOf = (home: string) => join(home, 'paddock.sock');

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\./.test(host);

export async function startDaemon(opts: ServeOptions): Promise<RunningDaemon> {
  const config = opts.config ?? loadConfig();
  // Beyond loopback, anyone who reaches the port could run agents on this machine: only with tokens to check.
  const canAuthenticate = config.authEnabled && (config.apiTokens.length > 0 || config.jwtSecret !== undefined);
  if (opts.tcp && !isLoopback(opts.tcp.host) && !canAuthenticate) {
    throw new PaddockError(
      ErrorCode.InvalidConfig,
      `refusing to listen on ${opts.tcp.host}: it is not a loopback address, and with authentication off anyone who can reach it could run agents on this machine`,
      {
        hint: 'listen on 127.0.0.1, or turn authentication on (PADDOCK_AUTH_ENABLED=true with PADDOCK_API_TOKENS or PADDOCK_JWT_SECRET)',
      },
    );
  }
  // State holds live run tokens: readable by this user only.
  mkdirSync(config.home, { recursive: true, mode: 0o700 });
  chmodSync(config.home, 0o700);
  // Every line carries the request or run it is for (logLineFields); NODE_DEBUG=paddock* lets debug lines through.
  const debugLevel = config.logLevel === 'debug' || config.logLevel === 'trace';
  const log = pino({ level: nodeDebugWantsPaddock() && !debugLevel ? 'debug' : config.logLevel, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime, mixin: logLineFields });
  setLogSink(log, { debug: debugLevel });
  const socket = socketPathOf(config.home);
  const startedAt = Date.now();
  const release = claimHome(config.home, { pid: process.pid, start: processStart(process.pid) ?? '', socket, tcp: null, version: VERSION, startedAt });

  const p = openPaddock(config, { log: (detail) => log.warn({ detail }, 'supervisor') });
  const shutdown = new AbortController();
  let tcpAddress: string | null = null;
  let stopping: Promise<void> | undefined;
  let resolveStopped!: () => void;
  const stopped = new Promise<void>((r) => (resolveStopped = r));

  const auth = new Authenticator(p);
  const webhooks = new WebhookDispatcher(p, { log });
  const notifier = new Notifier(p, { log }); // projects' notifications (docs/projects.md#notifications)
  const mcp = mcpHttpHandler(p, { shutdown: shutdown.signal, log });
  // A coordinator run's own MCP (its mcp.sock): the same handler, its identity fixed to the run (app/coordinator.ts).
  serveCoordinatorMcp(p, (runId) => mcpRunHandler(p, runId, { shutdown: shutdown.signal, log }));
  const app = createApi({
    // The Stromboli face (/run, /jobs, /sessions, /health, …) after auth's routes, with its own error shapes.
    guards: createGuards(config, auth),
    extraRoutes: [
      (a) => registerAuthRoutes(a, auth),
      (a) => a.all('/mcp', (c) => mcp(c.req.raw)), // MCP over streamable HTTP (docs/coordinator.md), behind the guards
      compatRoutes(p, shutdown.signal),
      compatAgentRoutes(p, shutdown.signal),
    ],
    errorResponse: compatErrorResponse,
    p,
    shutdown: shutdown.signal,
    log,
    version: VERSION,
    system: { info: () => ({ pid: process.pid, version: VERSION, startedAt, socket, tcp: tcpAddress }), requestStop: () => void stop() },
  });
  // Each listener tags its requests: the unix socket (0600) is the local user's, TCP has to authenticate.
  const listenerFor = (transport: 'unix' | 'tcp') => getRequestListener((req, env) => app.fetch(req, { ...env, transport }));
  // Terminals (docs/shell.md): a WebSocket upgrade, checked through the same app and guards first.
  const upgrades = terminalUpgrades(p, (req, env) => app.fetch(req, env), shutdown.signal, log);
  const servers: http.Server[] = [];
  const listen = (server: http.Server, where: string | { host: string; port: number }) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      if (typeof where === 'string') server.listen(where, () => resolve());
      else server.listen(where.port, where.host, () => resolve());
    });

  let stopTracing: () => Promise<void> = async () => {};
  let metricsListener: Awaited<ReturnType<typeof startMetricsListener>> | undefined;
  if (config.metricsEnabled) metricsOf(p); // counting starts now: spawn phases of runs adopted below are seen
  try {
    stopTracing = await startTracing(p);
    if (config.metricsEnabled && config.metricsAddress) {
      metricsListener = await startMetricsListener(p, config.metricsAddress);
      log.info({ metrics: metricsListener.address }, 'metrics listening');
    }
    rmSync(socket, { force: true }); // left by a daemon that died; the home is ours now
    const unix = http.createServer(listenerFor('unix'));
    unix.on('upgrade', (req, sock, head) => upgrades(req, sock, head, 'unix'));
    servers.push(unix);
    await listen(unix, socket);
    chmodSync(socket, 0o600);
    if (opts.tcp) {
      const tcp = http.createServer(listenerFor('tcp'));
      tcp.on('upgrade', (req, sock, head) => upgrades(req, sock, head, 'tcp'));
      servers.push(tcp);
      await listen(tcp, opts.tcp);
      const a = tcp.address() as AddressInfo;
      tcpAddress = `${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`;
    }
  } catch (e) {
    for (const s of servers) s.close();
    await metricsListener?.close();
    await stopTracing();
    await p.close();
    release();
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') throw new PaddockError(ErrorCode.InvalidConfig, `${opts.tcp?.host}:${opts.tcp?.port} is already in use`, { hint: 'choose another --port' });
    throw e;
  }
  // The record says where to reach us, now that we listen.
  updateRecord(config.home, { pid: process.pid, start: processStart(process.pid) ?? '', socket, tcp: tcpAddress, version: VERSION, startedAt });
  const releaseHome = release;
  for (const s of servers) {
    s.requestTimeout = 0; // long synchronous runs and streams
    s.headersTimeout = 10_000;
  }

  const reconcileNow = () =>
    reconcile(p, { removeOrphans: true })
      .then(
        (r) => {
          if (r.adopted.length || r.orphansRemoved.length) log.info(r, 'reconciled');
        },
        (e: unknown) => log.warn({ err: String(e) }, 'reconcile failed (engine down?); trying again later'),
      )
      .then(() =>
        expireFinishedContainers(p).then(
          (removed) => {
            if (removed.length) log.info({ removed }, 'removed containers of runs finished longer ago than PADDOCK_JOB_TTL');
          },
          (e: unknown) => log.warn({ err: String(e) }, 'job TTL pass failed; trying again later'),
        ),
      );
  notifier.start();
  webhooks.start(); // before adoption: a run that ends from here on is delivered (earlier ends are swept up)
  if (!config.webhookSecret) log.warn({}, 'webhooks are sent unsigned: set PADDOCK_WEBHOOK_SECRET so receivers can check them');
  log.info({ auth: config.authEnabled, jwt: auth.jwtConfigured, rateLimit: config.rateLimitEnabled ? { rps: config.rateLimitRps, burst: config.rateLimitBurst } : false }, 'api guards');
  // Adopting runs can wait on a slow engine: the daemon answers (and drains on SIGTERM) meanwhile.
  void reconcileNow();
  const timer = setInterval(() => void reconcileNow(), RECONCILE_EVERY_MS);
  timer.unref();
  log.info({ socket, tcp: tcpAddress, home: config.home, version: VERSION, maxRunning: config.maxRunning }, 'paddock daemon listening');

  async function stop(): Promise<void> {
    stopping ??= (async () => {
      log.info({}, 'stopping: letting go of runs (their containers run on)');
      clearInterval(timer);
      await webhooks.stop(); // attempts cut off stay pending: the next daemon sends them
      await notifier.stop();
      shutdown.abort();
      const closed = Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
      for (const s of servers) s.closeIdleConnections();
      await p.close();
      await metricsListener?.close();
      await stopTracing(); // ends the spans of runs let go, sends what is buffered
      setTimeout(() => {
        for (const s of servers) s.closeAllConnections();
      }, 2000).unref();
      await closed;
      rmSync(socket, { force: true });
      releaseHome();
      log.info({}, 'stopped');
      resolveStopped();
    })();
    return stopping;
  }
  return { socket, tcp: tcpAddress, stop, stopped };
}
