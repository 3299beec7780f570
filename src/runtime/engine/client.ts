/**
 * The one way the engine modules reach the engine: a request through dockerode's modem (so that query and body are
 * exactly what we mean: dockerode's own createContainer would put the whole spec, environment included, into the URL as
 * well as the body), traced, with engine errors mapped to PaddockErrors that name the operation.
 */
import type { Readable } from 'node:stream';
import Docker from 'dockerode';
import type { PaddockError } from '../../errors/index.ts';
import { track } from '../../telemetry/index.ts';
import { statusOf, toPaddockError } from '../engine-errors.ts';
import { enginePathTemplate } from '../engine-path.ts';
import type { EngineInfo } from '../port.ts';

/** What docker-modem's dial takes (its typings are `any`). `options` becomes the query string; `_query`/`_body` split it from the body. */
export interface DialRequest {
  path: string;
  method: 'GET' | 'POST' | 'DELETE';
  options?: Record<string, unknown>;
  /** A request body stream: a Node Readable, or tar-fs's streamx pack stream (docker-modem only pipes it and listens for errors). */
  file?: Readable | { pipe(dest: NodeJS.WritableStream): unknown; on(event: 'error', cb: (e: Error) => void): unknown };
  isStream?: boolean;
  statusCodes: Record<number, true | string>;
  abortSignal?: AbortSignal;
  headers?: Record<string, string>;
}

interface Modem {
  dial(req: DialRequest, cb: (err: unknown, data: unknown) => void): void;
}

/** A dockerode client bound to one unix socket, immune to DOCKER_HOST / DOCKER_TLS_VERIFY / DOCKER_CLIENT_TIMEOUT in the environment. */
export function clientFor(socketPath: string): Docker {
  // docker-modem merges its env-derived defaults under these; an env tcp:// host would otherwise win over socketPath.
  return new Docker({ socketPath, host: undefined, port: undefined, protocol: 'http', ca: undefined, cert: undefined, key: undefined, timeout: undefined });
}

export class EngineClient {
  /** Read at each call, not copied: the telemetry field and error details follow the engine this client describes. */
  private readonly info: EngineInfo;
  private readonly docker: Docker;

  constructor(info: EngineInfo, docker: Docker) {
    this.info = info;
    this.docker = docker;
  }

  get socketPath(): string {
    return this.info.socketPath;
  }

  /** The raw request: the engine's (or the socket's) own error on failure, for callers that tell failures apart. */
  call<T = unknown>(req: DialRequest): Promise<T> {
    const modem = this.docker.modem as Modem;
    // Method and path only: a request's options and body can hold a run's environment (its model token).
    const op = track('engine', `${req.method} ${enginePathTemplate(req.path)}`, { engine: this.info.kind, path: req.path.replace(/\?$/, ''), ...(req.isStream ? { stream: true } : {}) });
    return new Promise<T>((resolve, reject) => {
      modem.dial(req, (err, data) => {
        op.end(err ?? undefined, err ? { status: statusOf(err) } : {});
        if (err) reject(err);
        else resolve(data as T);
      });
    });
  }

  /** The request for one operation ("create container x"): any failure is a PaddockError naming it. */
  async request<T = unknown>(req: DialRequest, what: string): Promise<T> {
    try {
      return await this.call<T>(req);
    } catch (e) {
      throw this.fail(e, what);
    }
  }

  /**
   * The request for an operation on something that may not be there: a 404 (or what alsoAbsent accepts) is undefined,
   * not an error. Inspecting or removing something already gone is an answer, not a failure.
   */
  async requestOrAbsent<T = unknown>(req: DialRequest, what: string, alsoAbsent?: (e: unknown) => boolean): Promise<T | undefined> {
    try {
      return await this.call<T>(req);
    } catch (e) {
      if (statusOf(e) === 404 || alsoAbsent?.(e) === true) return undefined;
      throw this.fail(e, what);
    }
  }

  fail(e: unknown, what: string): PaddockError {
    return toPaddockError(e, what, this.info.socketPath);
  }
}
