/** Connecting to an engine: probing a socket, pinging, and describing the engine (kind, version, rootless). */
import { ErrorCode, PaddockError } from '../../errors/index.ts';
import { engineMessage, engineUnavailable, isAbort } from '../engine-errors.ts';
import type { EngineInfo } from '../port.ts';
import type { EngineClient } from './client.ts';

interface VersionJson {
  Version?: string;
  ApiVersion?: string;
  Components?: { Name?: string; Version?: string }[] | null;
}

interface InfoJson {
  SecurityOptions?: string[] | null;
}

/** How long connect() waits for the engine to answer _ping and /version (Podman's /version alone takes ~0.5 s here). */
// Generous: under load (parallel builds and runs on 2 cores) Podman's /version was seen to take 27 s.
export const CONNECT_TIMEOUT_MS = 30_000;
/** /info only tells whether the engine is rootless: not worth waiting long for. */
const INFO_TIMEOUT_MS = 5_000;

/** What a client that knows nothing yet about the engine reports itself as, until describeEngine has asked. */
export function unknownEngine(socketPath: string): EngineInfo {
  return { kind: 'docker', socketPath, version: '', apiVersion: '', rootless: false };
}

/** Pings the engine at socketPath and reads /version (and /info, for rootless) to describe it. */
export async function describeEngine(client: EngineClient, socketPath: string, timeoutMs: number): Promise<EngineInfo> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    await client.call({ path: '/_ping', method: 'GET', statusCodes: { 200: true }, abortSignal: signal });
    const [version, info] = await Promise.all([
      client.call<VersionJson>({ path: '/version', method: 'GET', statusCodes: { 200: true }, abortSignal: signal }),
      // Only for the rootless flag; an engine that fails /info is still usable. Under load Podman's /info runs
      // dpkg-query for each component and can take tens of seconds: it gets a short budget of its own.
      client.call<InfoJson>({ path: '/info', method: 'GET', statusCodes: { 200: true }, abortSignal: AbortSignal.any([signal, AbortSignal.timeout(INFO_TIMEOUT_MS)]) }).catch(() => ({}) as InfoJson),
    ]);
    const components = version.Components ?? [];
    const podman = components.find((c) => c.Name === 'Podman Engine');
    const rootless =
      (info.SecurityOptions ?? []).some((o) => o.includes('name=rootless')) ||
      socketPath.startsWith('/run/user/') ||
      (process.env.XDG_RUNTIME_DIR !== undefined && process.env.XDG_RUNTIME_DIR !== '' && socketPath.startsWith(process.env.XDG_RUNTIME_DIR));
    return {
      kind: podman ? 'podman' : 'docker',
      socketPath,
      version: podman?.Version ?? version.Version ?? 'unknown',
      apiVersion: version.ApiVersion ?? 'unknown',
      rootless,
    };
  } catch (e) {
    if (isAbort(e)) {
      throw new PaddockError(ErrorCode.EngineUnavailable, `the container engine at ${socketPath} did not answer within ${timeoutMs / 1000} s`, {
        hint: 'the engine may be hung or still starting; restart it (`npm run up`) or point PADDOCK_ENGINE_SOCKET / DOCKER_HOST elsewhere',
        details: { socketPath },
        cause: e,
      });
    }
    throw engineUnavailable(socketPath, e);
  }
}

/**
 * One quick _ping, for discovery: resolves with undefined when something answers, else with why not
 * ("no such socket", "connection refused", "no answer within 2 s" …). Never throws.
 */
export async function probeEngine(client: EngineClient, timeoutMs: number): Promise<string | undefined> {
  try {
    await client.call({ path: '/_ping', method: 'GET', statusCodes: { 200: true }, abortSignal: AbortSignal.timeout(timeoutMs) });
    return undefined;
  } catch (e) {
    if (isAbort(e)) return `no answer within ${timeoutMs / 1000} s`;
    const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
    if (code === 'ENOENT') return 'no such socket';
    if (code === 'ECONNREFUSED') return 'connection refused';
    if (code === 'EACCES') return 'permission denied';
    return engineMessage(e);
  }
}

/** A _ping that must answer: anything else is the engine being unavailable. */
export async function pingEngine(client: EngineClient): Promise<void> {
  try {
    await client.call({ path: '/_ping', method: 'GET', statusCodes: { 200: true }, abortSignal: AbortSignal.timeout(CONNECT_TIMEOUT_MS) });
  } catch (e) {
    throw engineUnavailable(client.socketPath, e);
  }
}
