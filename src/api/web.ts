/**
 * The web board's files (web/, built by Vite into dist/web by `npm run build`), served at `/` with hono's static
 * serving: hashed assets cached for a year, index.html for the board's client routes and never cached, and a CSP
 * that allows only the daemon's own scripts, styles and API. Registered before the guards: the files carry no data
 * (every figure comes from the API, which needs a login when auth is on).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { ApiEnv } from './context.ts';

/** Where the built board is: dist/web beside dist/api (built), or the repository's dist/web (run from src/). */
export function webRoot(): string | undefined {
  for (const rel of ['../web/', '../../dist/web/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${dir}index.html`)) return dir;
  }
  return undefined;
}

/** The board's client routes: each answers index.html, and the app draws the page. */
export const WEB_ROUTES = ['/', '/new', '/login', '/runs/:id', '/runs/:id/diff'] as const;

const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function secure(c: Context<ApiEnv>): void {
  c.header('Content-Security-Policy', CSP);
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('X-Frame-Options', 'DENY');
}

export function registerWebRoutes(app: OpenAPIHono<ApiEnv>, root = webRoot()): void {
  const notBuilt: MiddlewareHandler<ApiEnv> = async (c) => c.text('The web board is not built: run `npm run build` (it builds web/ into dist/web).', 404);
  const index: MiddlewareHandler<ApiEnv> = root
    ? serveStatic({
        root,
        path: 'index.html',
        onFound: (_path, c) => {
          secure(c);
          c.header('Cache-Control', 'no-cache');
        },
      })
    : notBuilt;
  for (const route of WEB_ROUTES) app.get(route, index);
  if (!root) return;
  app.get(
    '/assets/*',
    serveStatic({
      root,
      precompressed: false,
      onFound: (_path, c) => {
        secure(c);
        // Vite names every asset by its content's hash: a new build is a new name.
        c.header('Cache-Control', 'public, max-age=31536000, immutable');
      },
    }),
  );
  app.get('/assets/*', (c) => c.text('404 page not found', 404));
}
