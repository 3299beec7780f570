/**
 * The rate-limit guard, first in the protected group (before auth, as in Stromboli, so a flood of bad tokens is
 * throttled before each is checked). One token bucket per client: an authenticated principal keys its own bucket
 * (several clients behind one proxy do not share one), anything else is keyed by its address. The unix socket is
 * the local user's and is not limited. Every limited response carries X-RateLimit-Limit (requests per second),
 * X-RateLimit-Remaining and X-RateLimit-Reset (unix seconds when the bucket is full again); a refusal is 429 with
 * Retry-After.
 */
import type { BlockList } from 'node:net';
import type { MiddlewareHandler } from 'hono';
import { type Authenticator, ErrorCode, PaddockError, type TokenBucket } from '../../app/index.ts';
import type { ApiEnv } from '../context.ts';
import { viaUnixSocket } from './auth.ts';
import { clientAddress } from './client-address.ts';
import { isProtectedPath } from './public-paths.ts';
import { refuse } from './refuse.ts';

export function rateLimitGuard(o: { bucket: TokenBucket; auth: Authenticator; trustedProxies?: BlockList }): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    if (!isProtectedPath(c.req.path) || viaUnixSocket(c)) return next();
    const principal = await o.auth.identify(c.req.header('authorization'));
    const r = o.bucket.take(principal ?? `addr:${clientAddress(c, o.trustedProxies)}`);
    c.header('X-RateLimit-Limit', String(r.limit));
    c.header('X-RateLimit-Remaining', String(r.remaining));
    c.header('X-RateLimit-Reset', String(Math.ceil(r.resetAt / 1000)));
    if (!r.allowed) {
      return refuse(
        c,
        new PaddockError(ErrorCode.RateLimited, 'rate limit exceeded', {
          hint: 'slow down: try again after Retry-After seconds',
          details: { retryAfter: Math.max(1, Math.ceil(r.retryAfterMs / 1000)) },
        }),
      );
    }
    return next();
  };
}
