/** Every failure Paddock reports carries one of these codes; each surface maps them (CLI exit code, HTTP status, MCP error). */
export const ErrorCode = {
  InvalidInput: 'INVALID_INPUT',
  NotFound: 'NOT_FOUND',
  Conflict: 'CONFLICT',
  MergeConflict: 'MERGE_CONFLICT',
  EngineUnavailable: 'ENGINE_UNAVAILABLE',
  ImageNotFound: 'IMAGE_NOT_FOUND',
  GitFailed: 'GIT_FAILED',
  IllegalTransition: 'ILLEGAL_TRANSITION',
  InvalidConfig: 'INVALID_CONFIG',
  /** No credentials, or credentials that are not (or no longer) valid. */
  Unauthorized: 'UNAUTHORIZED',
  /** Understood, but the server's policy does not permit it (e.g. network open where PADDOCK_EGRESS_OPEN is off). */
  Forbidden: 'FORBIDDEN',
  /** Too many requests from this client; try again after a moment. */
  RateLimited: 'RATE_LIMITED',
  /** The request body is larger than the server accepts. */
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  /** The CLI could not reach the daemon (PADDOCK_URL, or the local one would not start). */
  DaemonUnavailable: 'DAEMON_UNAVAILABLE',
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class PaddockError extends Error {
  readonly code: ErrorCode;
  /** What the user can do about it, one sentence. */
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, opts: { hint?: string | undefined; details?: Record<string, unknown> | undefined; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'PaddockError';
    this.code = code;
    this.hint = opts.hint;
    this.details = opts.details;
  }
}

export const isPaddockError = (e: unknown): e is PaddockError => e instanceof PaddockError;

export function invalidInput(message: string, hint?: string): PaddockError {
  return new PaddockError(ErrorCode.InvalidInput, message, hint === undefined ? {} : { hint });
}
export function notFound(message: string, hint?: string): PaddockError {
  return new PaddockError(ErrorCode.NotFound, message, hint === undefined ? {} : { hint });
}
