/** The guards the daemon mounts in front of the protected routes (createApi's `guards`), in Stromboli's order. */
import type { MiddlewareHandler } from 'hono';
import { addressSet, type Authenticator, type Config, TokenBucket } from '../../app/index.ts';
import type { ApiEnv } from '../context.ts';
import { authGuard } from './auth.ts';
import { rateLimitGuard } from './rate-limit.ts';

export { authGuard, authenticateRequest, requireAuth, viaUnixSocket } from './auth.ts';
export { rateLimitGuard } from './rate-limit.ts';
export { clientAddress } from './client-address.ts';
export { isAuthPath, isProtectedPath, isPublicPath } from './public-paths.ts';

/** Rate limit (when PADDOCK_RATE_LIMIT_ENABLED), then auth. */
export function createGuards(config: Config, auth: Authenticator): MiddlewareHandler<ApiEnv>[] {
  const guards: MiddlewareHandler<ApiEnv>[] = [];
  if (config.rateLimitEnabled) {
    const bucket = new TokenBucket({ rate: config.rateLimitRps, burst: config.rateLimitBurst });
    const trustedProxies = config.rateLimitTrustedProxies.length ? addressSet(config.rateLimitTrustedProxies) : undefined;
    guards.push(rateLimitGuard({ bucket, auth, ...(trustedProxies ? { trustedProxies } : {}) }));
  }
  guards.push(authGuard(auth));
  return guards;
}
