/**
 * The ContainerRuntime adapter over the Docker Engine API, which both Docker and Podman (its compat API) serve.
 * Every call goes through dockerode's modem so that query and body are exactly what we mean: dockerode's own
 * createContainer would put the whole spec (environment included) into the URL as well as the body.
 */
import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import Docker from 'dockerode';
import tar from 'tar-fs';
import { ErrorCode, PaddockError } from '../errors/index.ts';
import type { HardenedContainerSpec } from './container-spec.ts';
import { buildFailed, engineMessage, engineUnavailable, isAbort, statusOf, toPaddockError } from './engine-errors.ts';
import { LogDemuxer } from './log-demux.ts';
import type {
  BuildImageRequest,
  ContainerRuntime,
  ContainerState,
  ContainerSummary,
  EngineInfo,
  ImageInfo,
  LogLine,
  NetworkSummary,
  VolumeSummary,
} from './port.ts';
import { type ProgressResult, readProgress } from './progress-stream.ts';
import { enginePathTemplate } from './engine-path.ts';
import { track } from '../telemetry/index.ts';

/** What docker-modem's dial takes (its typings are `any`). `options` becomes the query string; `_query`/`_body` split it from the body. */
interface DialRequest {
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

/** The slices of the engine's JSON that we read. Podman's compat API fills the same fields as Docker's. */
interface InspectJson {
  Id: string;
  Name?: string;
  Config?: { Image?: string; Labels?: Record<string, string> | null };
  State?: {
    Status?: string;
    Running?: boolean;
    OOMKilled?: boolean;
    ExitCode?: number;
    Error?: string;
    StartedAt?: string;
    FinishedAt?: string;
  };
  HostConfig?: { Memory?: number };
}

interface ContainerListJson {
  Id: string;
  Names?: string[] | null;
  Labels?: Record<string, string> | null;
  State?: string;
}

interface VersionJson {
  Version?: string;
  ApiVersion?: string;
  Components?: { Name?: string; Version?: string }[] | null;
}

interface InfoJson {
  SecurityOptions?: string[] | null;
}

/** A followed log stream that the engine keeps closing while the container runs is reopened at most this often. */
const MAX_FOLLOW_REOPENS = 20;

/** Podman log polling: the shortest and longest pause between reads, and the pause as a multiple of a read's cost. */
const POLL_MIN_MS = 200;
const POLL_MAX_MS = 2000;
const POLL_COST_FACTOR = 3;

/** Resolves true after ms, or false as soon as the signal aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(ok);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** How long connect() waits for the engine to answer _ping and /version (Podman's /version alone takes ~0.5 s here). */
// Generous: under load (parallel builds and runs on 2 cores) Podman's /version was seen to take 27 s.
const CONNECT_TIMEOUT_MS = 30_000;
/** /info only tells whether the engine is rootless: not worth waiting long for. */
const INFO_TIMEOUT_MS = 5_000;

/** A dockerode client bound to one unix socket, immune to DOCKER_HOST / DOCKER_TLS_VERIFY / DOCKER_CLIENT_TIMEOUT in the environment. */
function clientFor(socketPath: string): Docker {
  // docker-modem merges its env-derived defaults under these; an env tcp:// host would otherwise win over socketPath.
  return new Docker({ socketPath, host: undefined, port: undefined, protocol: 'http', ca: undefined, cert: undefined, key: undefined, timeout: undefined });
}

/** Podman and Docker both report a never-set time as Go's zero time. */
function parseTime(s: string | undefined): Date | null {
  if (s === undefined || s === '' || s.startsWith('0001-01-01')) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * Engine-side label filtering narrows what comes back, but is not trusted alone: Podman 4.3's volume list ORs several
 * label filters (Docker ANDs them), so every list is checked again here.
 */
function hasLabels(have: Record<string, string> | null | undefined, want: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(want)) if (have?.[k] !== v) return false;
  return true;
}

function labelFilter(labels: Record<string, string>): Record<string, unknown> {
  const label = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return label.length === 0 ? {} : { filters: { label } };
}

/** "localhost/x:v1" → ["localhost/x", "v1"]; a colon before the last slash is a registry port, not a tag. */
export function splitRef(ref: string): [repo: string, tag: string] {
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) return [ref.slice(0, colon), ref.slice(colon + 1)];
  return [ref, 'latest'];
}

export class DockerEngineRuntime implements ContainerRuntime {
  readonly info: EngineInfo;
  private readonly docker: Docker;
  /**
   * Containers this process asked to stop. Podman never reports OOMKilled here (see toState), so a 137 exit is read as an
   * OOM kill unless we sent the stop ourselves, in which case 137 is our SIGKILL after the grace period.
   */
  private readonly stopsRequested = new Set<string>();

  constructor(info: EngineInfo, docker: Docker = clientFor(info.socketPath)) {
    this.info = info;
    this.docker = docker;
  }

  /** Pings the engine at socketPath and reads /version (and /info, for rootless) to describe it. */
  static async connect(socketPath: string, opts: { timeoutMs?: number } = {}): Promise<DockerEngineRuntime> {
    const docker = clientFor(socketPath);
    const probe = new DockerEngineRuntime({ kind: 'docker', socketPath, version: '', apiVersion: '', rootless: false }, docker);
    const timeoutMs = opts.timeoutMs ?? CONNECT_TIMEOUT_MS;
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      await probe.call({ path: '/_ping', method: 'GET', statusCodes: { 200: true }, abortSignal: signal });
      const [version, info] = await Promise.all([
        probe.call<VersionJson>({ path: '/version', method: 'GET', statusCodes: { 200: true }, abortSignal: signal }),
        // Only for the rootless flag; an engine that fails /info is still usable. Under load Podman's /info runs
        // dpkg-query for each component and can take tens of seconds: it gets a short budget of its own.
        probe.call<InfoJson>({ path: '/info', method: 'GET', statusCodes: { 200: true }, abortSignal: AbortSignal.any([signal, AbortSignal.timeout(INFO_TIMEOUT_MS)]) }).catch(() => ({}) as InfoJson),
      ]);
      const components = version.Components ?? [];
      const podman = components.find((c) => c.Name === 'Podman Engine');
      const rootless =
        (info.SecurityOptions ?? []).some((o) => o.includes('name=rootless')) ||
        socketPath.startsWith('/run/user/') ||
        (process.env.XDG_RUNTIME_DIR !== undefined && process.env.XDG_RUNTIME_DIR !== '' && socketPath.startsWith(process.env.XDG_RUNTIME_DIR));
      return new DockerEngineRuntime(
        {
          kind: podman ? 'podman' : 'docker',
          socketPath,
          version: podman?.Version ?? version.Version ?? 'unknown',
          apiVersion: version.ApiVersion ?? 'unknown',
          rootless,
        },
        docker,
      );
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
   * One quick _ping, for discovery: resolves with undefined when something answers at socketPath,
   * else with why not ("no such socket", "connection refused", "no answer within 2 s" …). Never throws.
   */
  static async probe(socketPath: string, timeoutMs = 2000): Promise<string | undefined> {
    const client = new DockerEngineRuntime({ kind: 'docker', socketPath, version: '', apiVersion: '', rootless: false });
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

  async ping(): Promise<void> {
    try {
      await this.call({ path: '/_ping', method: 'GET', statusCodes: { 200: true }, abortSignal: AbortSignal.timeout(CONNECT_TIMEOUT_MS) });
    } catch (e) {
      throw engineUnavailable(this.info.socketPath, e);
    }
  }

  // ---- images ------------------------------------------------------------------------------------------------------

  async imageExists(ref: string): Promise<boolean> {
    return (await this.inspectImage(ref)) !== undefined;
  }

  async inspectImage(ref: string): Promise<ImageInfo | undefined> {
    try {
      const j = (await this.call({ path: `/images/${ref}/json`, method: 'GET', statusCodes: { 200: true } })) as { Id?: string; Config?: { Labels?: Record<string, string> | null } };
      return { id: j.Id ?? '', labels: j.Config?.Labels ?? {} };
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw this.fail(e, `inspect image ${ref}`);
    }
  }

  async buildImage(req: BuildImageRequest, onProgress?: (line: string) => void): Promise<void> {
    if (!existsSync(join(req.contextDir, req.containerfile))) {
      throw new PaddockError(ErrorCode.InvalidInput, `no ${req.containerfile} in the build context ${req.contextDir}`, {
        hint: 'containerfile is a path relative to contextDir',
      });
    }
    const context = tar.pack(req.contextDir);
    let res: IncomingMessage;
    try {
      res = await this.call<IncomingMessage>({
        path: '/build?',
        method: 'POST',
        options: {
          t: req.tag,
          dockerfile: req.containerfile,
          // Remove intermediate containers, even when a step fails.
          rm: true,
          forcerm: true,
          ...(req.buildArgs ? { buildargs: req.buildArgs } : {}),
          ...(req.labels ? { labels: req.labels } : {}),
        },
        file: context,
        headers: { 'Content-Type': 'application/x-tar' },
        isStream: true,
        statusCodes: { 200: true },
      });
    } catch (e) {
      context.destroy();
      throw this.fail(e, `build ${req.tag}`);
    }
    const result = await this.progress(res, onProgress, `build ${req.tag}`);
    if (result.error !== undefined) throw buildFailed(result.error, req.tag, this.info.socketPath);
  }

  async importImage(tarball: Readable, ref: string, onProgress?: (line: string) => void): Promise<void> {
    let res: IncomingMessage;
    try {
      // The whole reference goes in `repo`: Podman 4.3's compat import ignores a separate `tag` (it names the image
      // repo:latest), while both engines accept "repo:tag" in `repo`. No libpod endpoint needed.
      res = await this.call<IncomingMessage>({
        path: '/images/create?',
        method: 'POST',
        options: { fromSrc: '-', repo: ref },
        file: tarball,
        isStream: true,
        statusCodes: { 200: true },
      });
    } catch (e) {
      throw this.fail(e, `import ${ref}`);
    }
    const result = await this.progress(res, onProgress, `import ${ref}`);
    if (result.error !== undefined) {
      throw new PaddockError(ErrorCode.Internal, `import of ${ref} failed: ${result.error}`, {
        hint: 'check that the file is a root filesystem tarball (tar, optionally gzip-compressed)',
        details: { socketPath: this.info.socketPath },
      });
    }
    if (await this.imageExists(ref)) return;
    // An engine that dropped the name still imported the image: name it from the id it reported.
    if (result.imageId === undefined) {
      throw new PaddockError(ErrorCode.Internal, `import of ${ref} finished but the engine reported no image id and no image has that name`, {
        hint: 'look for an untagged image in the engine and tag it, or import again',
      });
    }
    const [repo, tag] = splitRef(ref);
    try {
      await this.call({ path: `/images/${result.imageId}/tag?`, method: 'POST', options: { _query: { repo, tag }, _body: {} }, statusCodes: { 200: true, 201: true } });
    } catch (e) {
      throw this.fail(e, `tag imported image ${result.imageId} as ${ref}`);
    }
  }

  async removeImage(ref: string): Promise<void> {
    try {
      await this.call({ path: `/images/${ref}`, method: 'DELETE', statusCodes: { 200: true } });
    } catch (e) {
      if (statusOf(e) === 404) return;
      throw this.fail(e, `remove image ${ref}`);
    }
  }

  // ---- containers --------------------------------------------------------------------------------------------------

  async createContainer(spec: HardenedContainerSpec): Promise<string> {
    const { name, ...body } = spec;
    try {
      const created = await this.call<{ Id: string }>({
        path: '/containers/create?',
        method: 'POST',
        options: { _query: name === undefined ? {} : { name }, _body: body },
        statusCodes: { 200: true, 201: true },
      });
      return created.Id;
    } catch (e) {
      throw this.fail(e, `create container${name === undefined ? '' : ` ${name}`} from ${spec.Image ?? '(no image)'}`);
    }
  }

  async startContainer(id: string): Promise<void> {
    try {
      await this.call({ path: `/containers/${id}/start`, method: 'POST', statusCodes: { 204: true, 304: true } });
    } catch (e) {
      throw this.fail(e, `start container ${id}`);
    }
  }

  async inspectContainer(id: string): Promise<ContainerState | undefined> {
    let json: InspectJson;
    try {
      json = await this.call<InspectJson>({ path: `/containers/${id}/json`, method: 'GET', statusCodes: { 200: true } });
    } catch (e) {
      if (statusOf(e) === 404) return undefined;
      throw this.fail(e, `inspect container ${id}`);
    }
    return this.toState(id, json);
  }

  async waitContainer(id: string): Promise<number> {
    try {
      // Default condition "not-running": resolves at once for a container that has already stopped.
      const r = await this.call<{ StatusCode: number }>({ path: `/containers/${id}/wait`, method: 'POST', statusCodes: { 200: true } });
      return r.StatusCode;
    } catch (e) {
      throw this.fail(e, `wait for container ${id}`);
    }
  }

  /**
   * Lines from the very first one. Aborting the signal (or leaving the loop early) closes the HTTP stream and ends the
   * iteration quietly. With follow, it ends once the container is no longer running and its whole log has been read.
   */
  async *logs(id: string, opts: { follow: boolean; signal?: AbortSignal }): AsyncIterable<LogLine> {
    const { signal } = opts;
    const demux = new LogDemuxer('auto');
    const complete = !opts.follow
      ? yield* this.readLog(id, false, demux, signal)
      : this.info.kind === 'podman'
        ? yield* this.followByPolling(id, demux, signal)
        : yield* this.followByStream(id, demux, signal);
    if (complete) yield* demux.end();
  }

  /**
   * Docker: its followed stream is complete while it lasts, but it ends when the container stops, often before the last
   * write reached the json-file log (an unterminated last line was lost in most runs here). So when the stream ends the
   * container is inspected: still running → follow again; stopped → one plain read. The demuxer skips the bytes it has
   * already passed on, so nothing is lost or repeated.
   */
  private async *followByStream(id: string, demux: LogDemuxer, signal: AbortSignal | undefined): AsyncGenerator<LogLine, boolean> {
    for (let reads = 1; ; reads++) {
      if (!(yield* this.readLog(id, true, demux, signal))) return false;
      const state = await this.inspectContainer(id);
      if (state === undefined) return true; // removed meanwhile: its log went with it
      yield* demux.restart();
      if (!state.running) return yield* this.readLog(id, false, demux, signal);
      // Running, yet the engine closed the stream: follow again, within reason.
      if (reads >= MAX_FOLLOW_REOPENS) return true;
    }
  }

  /**
   * Podman 4.3: its followed stream (a tail of the k8s-file log) drops runs of lines, repeats some, and ends early when
   * the machine is busy (seen in 4–8 of 20 runs of `seq 1 10000` under CPU load), while plain reads of the same log are
   * always consistent prefixes of each other. So following on Podman is polling: plain reads, each skipping the bytes
   * already passed on, until a read that started after the container was seen stopped. A plain read costs Podman time
   * in proportion to the log's size, so the pause between reads grows with that cost and while nothing new arrives.
   */
  private async *followByPolling(id: string, demux: LogDemuxer, signal: AbortSignal | undefined): AsyncGenerator<LogLine, boolean> {
    let pause = POLL_MIN_MS;
    for (;;) {
      // Inspect before reading: a read that starts after the container stopped holds its whole log.
      const state = await this.inspectContainer(id);
      if (state === undefined) return true;
      const before = demux.deliveredBytes;
      const started = Date.now();
      if (!(yield* this.readLog(id, false, demux, signal))) return false;
      if (!state.running) return true;
      yield* demux.restart();
      const cost = Date.now() - started;
      pause = demux.deliveredBytes > before ? POLL_MIN_MS : Math.min(POLL_MAX_MS, pause * 1.5);
      if (!(await sleep(Math.max(pause, POLL_COST_FACTOR * cost), signal))) return false;
    }
  }

  /** One read of the log into the demuxer. Returns false when aborted (the caller then stops without flushing). */
  private async *readLog(id: string, follow: boolean, demux: LogDemuxer, signal: AbortSignal | undefined): AsyncGenerator<LogLine, boolean> {
    if (signal?.aborted) return false;
    let res: IncomingMessage;
    try {
      res = await this.call<IncomingMessage>({
        path: `/containers/${id}/logs?`,
        method: 'GET',
        options: { stdout: true, stderr: true, follow, timestamps: false },
        isStream: true,
        statusCodes: { 200: true },
        ...(signal ? { abortSignal: signal } : {}),
      });
    } catch (e) {
      if (signal?.aborted) return false;
      throw this.fail(e, `logs of container ${id}`);
    }
    const onAbort = () => res.destroy();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) yield* demux.feed(chunk);
      return !signal?.aborted;
    } catch (e) {
      if (signal?.aborted) return false;
      throw this.fail(e, `logs of container ${id}`);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      res.destroy();
    }
  }

  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    this.stopsRequested.add(id);
    try {
      // 304: already stopped; 404: gone. Both are what the caller wanted.
      await this.call({
        path: `/containers/${id}/stop?`,
        method: 'POST',
        options: { _query: { t: Math.max(0, Math.round(graceSeconds)) }, _body: {} },
        statusCodes: { 204: true, 304: true },
      });
    } catch (e) {
      if (statusOf(e) === 404) return;
      throw this.fail(e, `stop container ${id}`);
    }
  }

  async removeContainer(id: string): Promise<void> {
    try {
      await this.call({ path: `/containers/${id}?`, method: 'DELETE', options: { force: true, v: false }, statusCodes: { 200: true, 204: true } });
    } catch (e) {
      const status = statusOf(e);
      // 409 "removal already in progress": someone else is doing it.
      if (status === 404 || (status === 409 && /in progress/i.test(String((e as Error).message)))) return;
      throw this.fail(e, `remove container ${id}`);
    } finally {
      this.stopsRequested.delete(id);
    }
  }

  async listContainers(labels: Record<string, string>): Promise<ContainerSummary[]> {
    try {
      const list = await this.call<ContainerListJson[]>({
        path: '/containers/json?',
        method: 'GET',
        options: { all: true, ...labelFilter(labels) },
        statusCodes: { 200: true },
      });
      return list.filter((c) => hasLabels(c.Labels, labels)).map((c) => ({
        id: c.Id,
        name: (c.Names?.[0] ?? '').replace(/^\//, ''),
        labels: c.Labels ?? {},
        status: c.State ?? 'unknown',
        running: c.State === 'running',
      }));
    } catch (e) {
      throw this.fail(e, 'list containers');
    }
  }

  // ---- volumes and networks ----------------------------------------------------------------------------------------

  async createVolume(name: string, labels: Record<string, string>): Promise<void> {
    try {
      await this.call({ path: '/volumes/create', method: 'POST', options: { Name: name, Labels: labels }, statusCodes: { 200: true, 201: true } });
    } catch (e) {
      throw this.fail(e, `create volume ${name}`);
    }
  }

  async removeVolume(name: string): Promise<void> {
    try {
      await this.call({ path: `/volumes/${name}`, method: 'DELETE', statusCodes: { 204: true } });
    } catch (e) {
      if (statusOf(e) === 404) return;
      throw this.fail(e, `remove volume ${name}`);
    }
  }

  async listVolumes(labels: Record<string, string>): Promise<VolumeSummary[]> {
    try {
      const r = await this.call<{ Volumes?: { Name: string; Labels?: Record<string, string> | null }[] | null }>({
        path: '/volumes?',
        method: 'GET',
        options: labelFilter(labels),
        statusCodes: { 200: true },
      });
      return (r.Volumes ?? []).filter((v) => hasLabels(v.Labels, labels)).map((v) => ({ name: v.Name, labels: v.Labels ?? {} }));
    } catch (e) {
      throw this.fail(e, 'list volumes');
    }
  }

  async listNetworks(labels: Record<string, string>): Promise<NetworkSummary[]> {
    try {
      const list = await this.call<{ Id: string; Name: string; Labels?: Record<string, string> | null }[]>({
        path: '/networks?',
        method: 'GET',
        options: labelFilter(labels),
        statusCodes: { 200: true },
      });
      return list.filter((n) => hasLabels(n.Labels, labels)).map((n) => ({ id: n.Id, name: n.Name, labels: n.Labels ?? {} }));
    } catch (e) {
      throw this.fail(e, 'list networks');
    }
  }

  async removeNetwork(id: string): Promise<void> {
    try {
      await this.call({ path: `/networks/${id}`, method: 'DELETE', statusCodes: { 200: true, 204: true } });
    } catch (e) {
      if (statusOf(e) === 404) return;
      throw this.fail(e, `remove network ${id}`);
    }
  }

  // ---- internals ---------------------------------------------------------------------------------------------------

  private toState(requested: string, j: InspectJson): ContainerState {
    const s = j.State ?? {};
    const status = s.Status ?? 'unknown';
    const running = s.Running === true;
    // A container that never ran has no exit code, whatever number the engine puts there.
    const exitCode = running || status === 'created' || typeof s.ExitCode !== 'number' ? null : s.ExitCode;
    const name = (j.Name ?? '').replace(/^\//, '');
    return {
      id: j.Id,
      name,
      image: j.Config?.Image ?? '',
      labels: j.Config?.Labels ?? {},
      status,
      running,
      exitCode,
      oomKilled: s.OOMKilled === true || this.inferOom(j, exitCode, [requested, j.Id, name]),
      startedAt: parseTime(s.StartedAt),
      finishedAt: parseTime(s.FinishedAt),
      error: s.Error ?? '',
    };
  }

  /**
   * Podman 4.3 with conmon 2.1.6 never sets OOMKilled (conmon writes its "oom" marker into its working directory, not
   * the container's bundle directory where Podman looks). On Podman, a memory-limited container that ended with 137
   * (SIGKILL) is taken as OOM-killed, unless this process stopped it: then the 137 is the SIGKILL after the grace period.
   */
  private inferOom(j: InspectJson, exitCode: number | null, ids: string[]): boolean {
    if (this.info.kind !== 'podman' || exitCode !== 137) return false;
    if ((j.HostConfig?.Memory ?? 0) <= 0) return false;
    for (const id of ids) if (id !== '' && this.stopsRequested.has(id)) return false;
    for (const s of this.stopsRequested) if (j.Id.startsWith(s)) return false;
    return true;
  }

  /** Reads a build/import progress stream; a connection that breaks mid-way is an engine failure, not a build error. */
  private async progress(res: IncomingMessage, onProgress: ((line: string) => void) | undefined, what: string): Promise<ProgressResult> {
    try {
      return await readProgress(res, onProgress);
    } catch (e) {
      throw this.fail(e, what);
    }
  }

  private fail(e: unknown, what: string): PaddockError {
    return toPaddockError(e, what, this.info.socketPath);
  }

  private call<T = unknown>(req: DialRequest): Promise<T> {
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
}
