/**
 * The HTTP API over the same app/ calls as the CLI: Paddock's own routes under /api/v1, and (registered by
 * compat/) Stromboli's at the root. One OpenAPI 3.1 document is generated from the zod schemas (/openapi.json).
 * Nothing here decides anything: handlers validate, call app/, and map results and errors.
 */
import { randomBytes } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ErrorCode, invalidInput, type Paddock, PaddockError } from '../app/index.ts';
import type { ApiEnv } from './context.ts';
import { asPaddockError, errorBody, HTTP_FOR_ERROR } from './errors.ts';
import { registerEventRoutes } from './native/events.ts';
import { registerBoardRoutes } from './native/board.ts';
import { registerWebRoutes } from './web.ts';
import { registerRunRoutes } from './native/runs.ts';
import { registerMessageRoutes } from './native/messages.ts';
import { registerShellRoutes } from './native/shell.ts';

import { registerSystemRoutes, type SystemHooks } from './native/system.ts';
import { renderDocsPage } from './docs-page.ts';
import { registerWebhookRoutes } from './native/webhooks.ts';
import { registerMetricsRoutes } from './native/metrics.ts';
import { registerNetworkRoutes } from './native/network.ts';
import { registerSecretRoutes } from './native/secrets.ts';
import { registerImageRoutes } from './native/images.ts';
import { registerProjectRoutes } from './native/projects.ts';
import { registerGroupRoutes } from './native/groups.ts';
import { registerPortRoutes } from './native/ports.ts';
import { observe } from './observe.ts';

export interface ApiLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ApiOptions {
  p: Paddock;
  system: SystemHooks;
  /** Aborts when the server shuts down: live streams end. */
  shutdown: AbortSignal;
  log: ApiLogger;
  /** Runs before every route but /health and the docs (auth, rate limits). */
  guards?: MiddlewareHandler<ApiEnv>[];
  /** More routes (the Stromboli face), registered after the guards. */
  extraRoutes?: ((app: OpenAPIHono<ApiEnv>) => void)[];
  /** A face's own error response for a request (the Stromboli face's body shapes differ per endpoint); undefined: the default. */
  errorResponse?: (c: Context<ApiEnv>, e: PaddockError, status: ContentfulStatusCode) => Response | undefined;
  /** Largest request body, bytes (default 1 MiB). */
  maxBodyBytes?: number;
  version: string;
}

/** Whether a path belongs to Paddock's own face (its error shape); everything else is Stromboli's. */
export const isNativePath = (path: string): boolean => path.startsWith('/api/');

export function createApi(o: ApiOptions): OpenAPIHono<ApiEnv> {
  const app = new OpenAPIHono<ApiEnv>({
    // Request validation failures: 400 naming the field, in the face's own error shape.
    defaultHook: (result, c) => {
      if (result.success) return undefined;
      const issue = result.error.issues[0];
      const field = issue?.path.join('.') || 'body';
      const e = invalidInput(`${field}: ${issue?.message ?? 'invalid'}`, 'see the schema at GET /openapi.json');
      return isNativePath(c.req.path) ? c.json(errorBody(e), 400) : c.json({ error: e.message }, 400);
    },
  });

  app.use('*', async (c, next) => {
    const given = c.req.header('x-request-id');
    const id = given && /^[\w.-]{1,128}$/.test(given) ? given : randomBytes(8).toString('hex');
    c.set('requestId', id);
    c.header('X-Request-ID', id);
    const started = performance.now();
    await next();
    o.log.info({ requestId: id, method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
  });
  app.use('*', observe(o.p)); // request context for logs, span, latency (src/api/observe.ts)
  app.use(
    '*',
    bodyLimit({
      maxSize: o.maxBodyBytes ?? 1024 * 1024,
      onError: () => {
        throw new PaddockError(ErrorCode.PayloadTooLarge, `the request body is over ${o.maxBodyBytes ?? 1024 * 1024} bytes`, { hint: 'send a smaller body' });
      },
    }),
  );

  app.onError((err, c) => {
    const e = asPaddockError(err);
    if (e.code === ErrorCode.Internal) o.log.error({ requestId: c.get('requestId'), err: (err as Error).stack ?? String(err) }, 'internal error');
    const status = HTTP_FOR_ERROR[e.code];
    if (e.code === ErrorCode.RateLimited && e.details?.retryAfter !== undefined) c.header('Retry-After', String(e.details.retryAfter));
    const own = isNativePath(c.req.path) ? undefined : o.errorResponse?.(c, e, status);
    if (own) return own;
    return isNativePath(c.req.path) ? c.json(errorBody(e), status) : c.json({ error: e.message }, status);
  });
  app.notFound((c) =>
    isNativePath(c.req.path)
      ? c.json(errorBody(new PaddockError(ErrorCode.NotFound, `no route ${c.req.method} ${c.req.path}`, { hint: 'the routes are listed at GET /openapi.json' })), 404)
      : c.text('404 page not found', 404),
  );

  const doc = {
    openapi: '3.1.0',
    info: {
      title: 'Paddock API',
      version: o.version,
      description:
        "Run coding agents headless and in parallel, each sealed in its own container, checkout and branch. Paddock's own routes are under /api/v1; Stromboli-compatible routes are at the root.",
    },
  };
  app.get('/openapi.json', (c) => c.json(app.getOpenAPI31Document(doc)));
  app.get('/docs', (c) => c.html(renderDocsPage(app.getOpenAPI31Document(doc))));

  registerWebRoutes(app); // the web board's files, before the guards: they carry no data (src/api/web.ts)
  for (const g of o.guards ?? []) app.use('*', g);
  registerRunRoutes(app, o.p);
  registerMessageRoutes(app, o.p);
  registerShellRoutes(app, o.p); // shell runs and terminals on runs (docs/shell.md)
  registerGroupRoutes(app, o.p);
  registerPortRoutes(app, o.p);

  registerEventRoutes(app, o.p, o.shutdown);
  registerBoardRoutes(app, o.p, o.shutdown);
  registerSystemRoutes(app, o.p, o.system);
  registerWebhookRoutes(app, o.p);
  registerMetricsRoutes(app, o.p);
  registerNetworkRoutes(app, o.p);
  registerSecretRoutes(app, o.p);
  registerImageRoutes(app, o.p); // images: ls, show, rm, create, pull, search (docs/images.md)
  registerProjectRoutes(app, o.p);
  for (const register of o.extraRoutes ?? []) register(app);
  return app;
}
