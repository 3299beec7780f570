/**
 * The auth guard: requests on the unix socket are the local user's (principal "local"; the socket's 0600 mode is
 * the check); TCP requests need a bearer token when PADDOCK_AUTH_ENABLED is on, and are "anonymous" when it is off.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { type Authenticator, isPaddockError } from '../../app/index.ts';
import type { ApiEnv } from '../context.ts';
import { isProtectedPath } from './public-paths.ts';
import { refuse } from './refuse.ts';

export const viaUnixSocket = (c: Context<ApiEnv>): boolean => c.env?.transport === 'unix';

/** Sets the principal and returns undefined, or returns the 401 (UNAUTHORIZED, with Stromboli's message). */
export async function authenticateRequest(c: Context<ApiEnv>, auth: Authenticator): Promise<Response | undefined> {
  if (viaUnixSocket(c)) {
    c.set('principal', 'local');
    return undefined;
  }
  if (!auth.enabled) {
    c.set('principal', 'anonymous');
    return undefined;
  }
  try {
    c.set('principal', await auth.authenticate(c.req.header('authorization')));
    return undefined;
  } catch (e) {
    if (!isPaddockError(e)) throw e;
    c.header('WWW-Authenticate', 'Bearer realm="paddock"');
    return refuse(c, e);
  }
}

/** For the protected group: every route but /health, the docs and /auth/*. */
export function authGuard(auth: Authenticator): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (!isProtectedPath(c.req.path)) return next();
    return (await authenticateRequest(c, auth)) ?? next();
  };
}

/** For one route outside the group that still needs a caller (POST /auth/token). */
export function requireAuth(auth: Authenticator): MiddlewareHandler<ApiEnv> {
  return async (c, next) => (await authenticateRequest(c, auth)) ?? next();
}
