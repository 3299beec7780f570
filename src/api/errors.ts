/** How failures look on the wire: one HTTP status per error code (exhaustive), and one body shape. */
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ErrorCode, isPaddockError, PaddockError } from '../app/index.ts';

export const HTTP_FOR_ERROR: Record<ErrorCode, ContentfulStatusCode> = {
  [ErrorCode.InvalidInput]: 400,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.MergeConflict]: 409,
  [ErrorCode.IllegalTransition]: 409,
  [ErrorCode.ImageNotFound]: 422,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.EngineUnavailable]: 503,
  [ErrorCode.DaemonUnavailable]: 503,
  [ErrorCode.GitFailed]: 500,
  [ErrorCode.InvalidConfig]: 500,
  [ErrorCode.Internal]: 500,
};

/** The reverse, for clients: a status and body back into a PaddockError. */
export const ERROR_CODES: readonly ErrorCode[] = Object.values(ErrorCode);

/** Anything thrown, as a PaddockError a client may see (no stack traces, no internals). */
export function asPaddockError(e: unknown): PaddockError {
  if (isPaddockError(e)) return e;
  if (e instanceof HTTPException) {
    const code = e.status === 413 ? ErrorCode.PayloadTooLarge : e.status === 401 ? ErrorCode.Unauthorized : e.status < 500 ? ErrorCode.InvalidInput : ErrorCode.Internal;
    return new PaddockError(code, e.message || `HTTP ${e.status}`, code === ErrorCode.InvalidInput ? { hint: 'send a JSON object that matches the documented schema (GET /openapi.json)' } : {});
  }
  return new PaddockError(ErrorCode.Internal, 'internal error', { hint: 'this is a bug in Paddock; the daemon log has the details (paddock daemon logs)' });
}

/** Paddock's own error body: `{ error: { code, message, hint? } }`. */
export function errorBody(e: PaddockError): { error: { code: ErrorCode; message: string; hint?: string } } {
  return { error: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) } };
}
