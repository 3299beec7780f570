/**
 * Turns what the engine API (or the socket under it) throws into a PaddockError that says what went wrong and what to do.
 * Both Docker and Podman answer through docker-modem, whose errors carry statusCode and the engine's JSON message.
 */
import { ErrorCode, PaddockError } from '../errors/index.ts';

export const ENGINE_HINT = "start a container engine with `npm run up`, or set PADDOCK_ENGINE_SOCKET or DOCKER_HOST to a running engine's socket (unix:///path)";
export const IMAGE_HINT = 'run `paddock image build` to build the agent image';

/** The parts of a docker-modem / Node socket error that tell engine failures apart. */
interface RawEngineError {
  statusCode?: number;
  code?: string;
  message?: string;
  json?: unknown;
}

export function statusOf(e: unknown): number | undefined {
  return typeof e === 'object' && e !== null && typeof (e as RawEngineError).statusCode === 'number' ? (e as RawEngineError).statusCode : undefined;
}

/** The engine's own words: its JSON `message` when there is one, else the error's message without docker-modem's prefix. */
export function engineMessage(e: unknown): string {
  if (typeof e !== 'object' || e === null) return String(e);
  const raw = e as RawEngineError;
  const json = raw.json;
  if (typeof json === 'object' && json !== null && typeof (json as { message?: unknown }).message === 'string') {
    return (json as { message: string }).message.trim();
  }
  if (typeof json === 'string' && json.trim() !== '') return json.trim();
  return (raw.message ?? String(e)).replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}

/** Socket-level failures: nothing (or nothing we may talk to) listens at the path. */
export function isUnreachable(e: unknown): boolean {
  const code = typeof e === 'object' && e !== null ? (e as RawEngineError).code : undefined;
  return code === 'ECONNREFUSED' || code === 'ENOENT' || code === 'EACCES' || code === 'ECONNRESET' || code === 'EPIPE' || code === 'ENOTSOCK';
}

export function isAbort(e: unknown): boolean {
  return typeof e === 'object' && e !== null && ((e as { name?: string }).name === 'AbortError' || (e as RawEngineError).code === 'ABORT_ERR');
}

export function engineUnavailable(socketPath: string, cause: unknown): PaddockError {
  const code = typeof cause === 'object' && cause !== null ? (cause as RawEngineError).code : undefined;
  const why = code === 'EACCES' ? 'permission denied' : code === 'ENOENT' ? 'no such socket' : code === 'ECONNREFUSED' ? 'connection refused' : engineMessage(cause);
  return new PaddockError(ErrorCode.EngineUnavailable, `the container engine at ${socketPath} does not answer (${why})`, {
    hint: code === 'EACCES' ? `give your user access to ${socketPath} (e.g. the docker group), or ${ENGINE_HINT}` : ENGINE_HINT,
    details: { socketPath, code },
    cause,
  });
}

/**
 * Maps an engine error for one operation ("create container paddock-x", "inspect image y").
 * 404s about images become ImageNotFound; other 404s NotFound; 409 Conflict; 400 InvalidInput (the engine refused the spec).
 */
export function toPaddockError(e: unknown, what: string, socketPath: string): PaddockError {
  if (e instanceof PaddockError) return e;
  if (isUnreachable(e)) return engineUnavailable(socketPath, e);
  const status = statusOf(e);
  const msg = engineMessage(e);
  const details = { socketPath, status };
  if (status === 404 && /image/i.test(msg)) {
    return new PaddockError(ErrorCode.ImageNotFound, `${what}: ${msg}`, { hint: IMAGE_HINT, details, cause: e });
  }
  if (status === 404) return new PaddockError(ErrorCode.NotFound, `${what}: ${msg}`, { hint: 'it may have been removed already; `paddock gc` tidies what is left', details, cause: e });
  // Podman answers 500 where Docker answers 409 for a taken name ("the container name … is already in use").
  if (status === 409 || /already in use/i.test(msg))
    return new PaddockError(ErrorCode.Conflict, `${what}: ${msg}`, { hint: 'another run or resource holds this name or is using it; retry when it is done', details, cause: e });
  if (status === 400)
    return new PaddockError(ErrorCode.InvalidInput, `${what}: the engine refused it: ${msg}`, {
      hint: 'this engine does not accept part of the request; see docs/runtime.md for engine differences',
      details,
      cause: e,
    });
  return new PaddockError(ErrorCode.Internal, `${what}: ${msg}`, { hint: "check the engine's own log; if it persists, restart the engine (`npm run up`)", details, cause: e });
}

/**
 * Build errors arrive inside the build's output stream, not as HTTP errors. A missing base image shows as a failed pull
 * (no registry here): Docker says `Get "http://…/v2/"` or `pull access denied`, Podman `initializing source docker://…`.
 */
export function buildFailed(errorText: string, tag: string, socketPath: string): PaddockError {
  const text = errorText.trim();
  const missingBase = /initializing source|pull access denied|manifest unknown|repository does not exist|\/v2\/|no such image|failed to resolve|not found: manifest/i.test(text);
  if (missingBase) {
    return new PaddockError(ErrorCode.ImageNotFound, `building ${tag}: its base image is not in the engine and could not be pulled: ${text}`, {
      hint: 'build or import the base image first (`paddock image build` does both), or make its registry reachable',
      details: { socketPath, tag },
    });
  }
  return new PaddockError(ErrorCode.Internal, `building ${tag} failed: ${text}`, {
    hint: 'the build output above shows the failing step; fix the Containerfile or the build context and build again',
    details: { socketPath, tag },
  });
}
