/**
 * The ContainerRuntime adapter over the Docker Engine API, which both Docker and Podman (its compat API) serve.
 * This class only puts the pieces together: one module per resource under engine/ (client, connect, images,
 * containers, logs, volumes, networks), and Podman's differences as a dialect (engine/dialect.ts).
 */
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { HardenedContainerSpec } from './container-spec.ts';
import { clientFor, EngineClient } from './engine/client.ts';
import { CONNECT_TIMEOUT_MS, describeEngine, pingEngine, probeEngine, unknownEngine } from './engine/connect.ts';
import { EngineContainers } from './engine/containers.ts';
import { dialectOf } from './engine/dialect.ts';
import { EngineImages } from './engine/images.ts';
import { EngineLogs } from './engine/logs.ts';
import { EngineNetworks } from './engine/networks.ts';
import { EngineVolumes } from './engine/volumes.ts';
import type { BuildImageRequest, ContainerRuntime, ContainerState, ContainerSummary, EngineInfo, ImageInfo, ImageSearchResult, ImageSummary, LogLine, NetworkSummary, VolumeSummary } from './port.ts';

export { splitRef } from './engine/images.ts';

export class DockerEngineRuntime implements ContainerRuntime {
  readonly info: EngineInfo;
  private readonly client: EngineClient;
  private readonly images: EngineImages;
  private readonly containers: EngineContainers;
  private readonly logLines: EngineLogs;
  private readonly volumes: EngineVolumes;
  private readonly networks: EngineNetworks;

  constructor(info: EngineInfo, docker: Docker = clientFor(info.socketPath)) {
    this.info = info;
    const dialect = dialectOf(info.kind);
    this.client = new EngineClient(info, docker);
    this.images = new EngineImages(this.client);
    this.containers = new EngineContainers(this.client);
    this.logLines = new EngineLogs(this.client, (id) => this.containers.inspect(id), dialect.logFollower);
    this.volumes = new EngineVolumes(this.client);
    this.networks = new EngineNetworks(this.client);
  }

  /** Pings the engine at socketPath and reads /version (and /info, for rootless) to describe it. */
  static async connect(socketPath: string, opts: { timeoutMs?: number } = {}): Promise<DockerEngineRuntime> {
    const docker = clientFor(socketPath);
    const info = await describeEngine(new EngineClient(unknownEngine(socketPath), docker), socketPath, opts.timeoutMs ?? CONNECT_TIMEOUT_MS);
    return new DockerEngineRuntime(info, docker);
  }

  /**
   * One quick _ping, for discovery: resolves with undefined when something answers at socketPath,
   * else with why not ("no such socket", "connection refused", "no answer within 2 s" …). Never throws.
   */
  static async probe(socketPath: string, timeoutMs = 2000): Promise<string | undefined> {
    return probeEngine(new EngineClient(unknownEngine(socketPath), clientFor(socketPath)), timeoutMs);
  }

  ping(): Promise<void> {
    return pingEngine(this.client);
  }

  // ---- images ------------------------------------------------------------------------------------------------------

  imageExists(ref: string): Promise<boolean> {
    return this.images.exists(ref);
  }

  inspectImage(ref: string): Promise<ImageInfo | undefined> {
    return this.images.inspect(ref);
  }

  buildImage(req: BuildImageRequest, onProgress?: (line: string) => void): Promise<void> {
    return this.images.build(req, onProgress);
  }

  importImage(tarball: Readable, ref: string, onProgress?: (line: string) => void): Promise<void> {
    return this.images.import(tarball, ref, onProgress);
  }

  removeImage(ref: string): Promise<void> {
    return this.images.remove(ref);
  }

  listImages(): Promise<ImageSummary[]> {
    return this.images.list();
  }

  pullImage(ref: string, opts: { platform?: string } = {}, onProgress?: (line: string) => void): Promise<{ id: string }> {
    return this.images.pull(ref, opts, onProgress);
  }

  searchImages(term: string, limit: number): Promise<ImageSearchResult[]> {
    return this.images.search(term, limit);
  }

  // ---- containers --------------------------------------------------------------------------------------------------

  createContainer(spec: HardenedContainerSpec): Promise<string> {
    return this.containers.create(spec);
  }

  startContainer(id: string): Promise<void> {
    return this.containers.start(id);
  }

  inspectContainer(id: string): Promise<ContainerState | undefined> {
    return this.containers.inspect(id);
  }

  waitContainer(id: string): Promise<number> {
    return this.containers.wait(id);
  }

  /**
   * Lines from the very first one. Aborting the signal (or leaving the loop early) closes the HTTP stream and ends the
   * iteration quietly. With follow, it ends once the container is no longer running and its whole log has been read.
   */
  logs(id: string, opts: { follow: boolean; signal?: AbortSignal; maxLineChars?: number }): AsyncIterable<LogLine> {
    return this.logLines.lines(id, opts);
  }

  stopContainer(id: string, graceSeconds: number): Promise<void> {
    return this.containers.stop(id, graceSeconds);
  }

  removeContainer(id: string): Promise<void> {
    return this.containers.remove(id);
  }

  listContainers(labels: Record<string, string>): Promise<ContainerSummary[]> {
    return this.containers.list(labels);
  }

  // ---- volumes and networks ----------------------------------------------------------------------------------------

  createVolume(name: string, labels: Record<string, string>, owner?: { uid: number; gid: number }): Promise<void> {
    return this.volumes.create(name, labels, this.info.kind === 'podman' ? owner : undefined);
  }

  removeVolume(name: string): Promise<void> {
    return this.volumes.remove(name);
  }

  volumeMountpoint(name: string): Promise<string | undefined> {
    return this.volumes.mountpoint(name);
  }

  listVolumes(labels: Record<string, string>): Promise<VolumeSummary[]> {
    return this.volumes.list(labels);
  }

  listNetworks(labels: Record<string, string>): Promise<NetworkSummary[]> {
    return this.networks.list(labels);
  }

  removeNetwork(id: string): Promise<void> {
    return this.networks.remove(id);
  }
}
