/**
 * Stromboli's /auth routes (API.md §7.2), with its request and response shapes, statuses and messages: POST
 * /auth/token (behind auth itself: a static token, a JWT, or the unix socket), POST /auth/refresh, GET
 * /auth/validate and POST /auth/logout (these read the token themselves). Two differences, both safer: validate and
 * refresh refuse logged-out tokens, and a logout ends the whole token family (its refresh tokens too).
 * Bodies are read the way gin's ShouldBindJSON does (whatever the content type), so curl -d works as it does there.
 */
import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { type Authenticator, ErrorCode, MAX_CLIENT_ID, PaddockError } from '../../app/index.ts';
import type { ApiEnv } from '../context.ts';
import { requireAuth } from '../guards/index.ts';
import { json } from '../schemas.ts';

const errorBody = z.object({ error: z.string() }).meta({ id: 'StromboliError' });
const tokenResponse = z
  .object({
    access_token: z.string(),
    refresh_token: z.string(),
    token_type: z.literal('bearer'),
    expires_in: z.number().int().describe('Seconds the access token lasts'),
  })
  .meta({ id: 'TokenResponse' });
const tags = ['auth'];
const security = [{ BearerAuth: [] }];

/** Every auth route answers 503 first when no JWT secret is configured, as Stromboli's do. */
const needsJwt =
  (auth: Authenticator): MiddlewareHandler<ApiEnv> =>
  async (c, next) => {
    if (!auth.jwtConfigured) return c.json({ error: 'JWT authentication not configured' }, 503);
    return next();
  };

/** A JSON object body with one required, non-empty string field (gin's binding:"required"). */
async function bindField(c: Context<ApiEnv>, field: string, max: number): Promise<string> {
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch (e) {
    throw new PaddockError(ErrorCode.InvalidInput, `invalid request: ${(e as Error).message}`);
  }
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[field] : undefined;
  if (value !== undefined && typeof value !== 'string') throw new PaddockError(ErrorCode.InvalidInput, `invalid request: ${field} must be a string`);
  if (!value) throw new PaddockError(ErrorCode.InvalidInput, `invalid request: ${field} is required`);
  if (value.length > max) throw new PaddockError(ErrorCode.InvalidInput, `invalid request: ${field} is longer than ${max} characters`);
  return value;
}

const tokenBody = (p: { accessToken: string; refreshToken: string; expiresIn: number }) => ({
  access_token: p.accessToken,
  refresh_token: p.refreshToken,
  token_type: 'bearer' as const,
  expires_in: p.expiresIn,
});

export function registerAuthRoutes(app: OpenAPIHono<ApiEnv>, auth: Authenticator): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'BearerAuth', { type: 'http', scheme: 'bearer', description: 'A PADDOCK_API_TOKENS entry or an access token from POST /auth/token' });

  // Documented here, served by plain routes below: the zod validator would refuse bodies gin accepts.
  app.openAPIRegistry.registerPath(
    createRoute({
      method: 'post',
      path: '/auth/token',
      tags,
      security,
      summary: 'Issue an access and a refresh token for a client (needs a static token, a JWT, or the unix socket)',
      request: { body: { required: true, content: { 'application/json': { schema: z.object({ client_id: z.string().min(1).max(MAX_CLIENT_ID) }).meta({ id: 'TokenRequest' }) } } } },
      responses: {
        200: json(tokenResponse, 'The tokens'),
        400: json(errorBody, 'invalid request: …'),
        401: json(errorBody, 'No or bad credentials'),
        503: json(errorBody, 'JWT authentication not configured'),
      },
    }),
  );
  app.post('/auth/token', requireAuth(auth), needsJwt(auth), async (c) => {
    const clientId = await bindField(c, 'client_id', MAX_CLIENT_ID);
    return c.json(tokenBody(await auth.issue(clientId)), 200);
  });

  app.openAPIRegistry.registerPath(
    createRoute({
      method: 'post',
      path: '/auth/refresh',
      tags,
      summary: 'A new access and refresh token for a live refresh token',
      request: { body: { required: true, content: { 'application/json': { schema: z.object({ refresh_token: z.string().min(1) }).meta({ id: 'RefreshRequest' }) } } } },
      responses: {
        200: json(tokenResponse, 'The new tokens'),
        400: json(errorBody, 'invalid request: …'),
        401: json(errorBody, 'invalid or expired refresh token'),
        503: json(errorBody, 'JWT authentication not configured'),
      },
    }),
  );
  app.post('/auth/refresh', needsJwt(auth), async (c) => {
    const refreshToken = await bindField(c, 'refresh_token', 8192);
    return c.json(tokenBody(await auth.refresh(refreshToken)), 200);
  });

  app.openAPIRegistry.registerPath(
    createRoute({
      method: 'get',
      path: '/auth/validate',
      tags,
      security,
      summary: 'Check a JWT access token: its subject and expiry (static tokens are not JWTs)',
      responses: {
        200: json(z.object({ valid: z.literal(true), subject: z.string(), expires_at: z.number().int().describe('Unix seconds') }).meta({ id: 'ValidateResponse' }), 'Valid'),
        401: json(errorBody, 'missing authorization header, invalid authorization header format, invalid or expired token, token revoked'),
        503: json(errorBody, 'JWT authentication not configured'),
      },
    }),
  );
  app.get('/auth/validate', needsJwt(auth), async (c) => {
    const v = await auth.validate(c.req.header('authorization'));
    return c.json({ valid: true, subject: v.subject, expires_at: v.expiresAt }, 200);
  });

  app.openAPIRegistry.registerPath(
    createRoute({
      method: 'post',
      path: '/auth/logout',
      tags,
      security,
      summary: 'Revoke a JWT access token and every token of its family (refresh tokens too); survives a restart',
      responses: {
        200: json(z.object({ success: z.literal(true), message: z.string() }).meta({ id: 'LogoutResponse' }), 'token invalidated'),
        400: json(errorBody, 'token does not have a JTI claim'),
        401: json(errorBody, 'As for /auth/validate'),
        503: json(errorBody, 'JWT authentication not configured'),
      },
    }),
  );
  app.post('/auth/logout', needsJwt(auth), async (c) => {
    await auth.logout(c.req.header('authorization'));
    return c.json({ success: true, message: 'token invalidated' }, 200);
  });
}
