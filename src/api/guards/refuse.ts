/**
 * How a guard says no. Stromboli's auth and rate-limit middleware answer `{"error": "<message>"}` on every
 * protected route, whatever shape the route's own errors have, and its clients match those exact messages: so on
 * Stromboli's face the guard answers itself. Paddock's own face gets its usual error body (thrown to onError).
 */
import type { Context } from 'hono';
import type { PaddockError } from '../../app/index.ts';
import { isNativePath } from '../app.ts';
import type { ApiEnv } from '../context.ts';
import { HTTP_FOR_ERROR } from '../errors.ts';

export function refuse(c: Context<ApiEnv>, e: PaddockError): Response {
  if (isNativePath(c.req.path)) throw e;
  const retryAfter = e.details?.retryAfter;
  if (retryAfter !== undefined) c.header('Retry-After', String(retryAfter));
  return c.json({ error: e.message }, HTTP_FOR_ERROR[e.code]);
}
