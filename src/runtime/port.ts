/**
 * The ContainerRuntime port: everything Paddock asks of a container engine.
 * One adapter (docker-engine.ts) implements it over the Docker Engine API, which both Docker and Podman serve.
 */
import type { Readable } from 'node:stream';
import type { HardenedContainerSpec } from './container-spec.ts';

export type EngineKind = 'podman' | 'docker';

export interface EngineInfo {
  kind: EngineKind;
  /** Absolute path of the API socket in use. */
  socketPath: string;
  version: string;
  apiVersion: string;
  /** Rootless engines map container UIDs through a user namespace. */
  rootless: boolean;
}

export interface ContainerState {
  id: string;
  name: string;
  image: string;
  labels: Record<string, string>;
  /** created | running | paused | exited | dead … as the engine reports it. */
  status: string;
  running: boolean;
  exitCode: number | null;
  oomKilled: boolean;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** The engine's error text when the container failed to start. */
  error: string;
}

export interface ContainerSummary {
  id: string;
  name: string;
  labels: Record<string, string>;
  status: string;
  running: boolean;
}

export interface VolumeSummary {
  name: string;
  labels: Record<string, string>;
}

export interface NetworkSummary {
  id: string;
  name: string;
  labels: Record<string, string>;
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  /** One line, without its trailing newline. */
  line: string;
  /** Set when the line was longer than the cap: characters dropped after the first maxLineChars. */
  droppedChars?: number;
}

export interface ImageInfo {
  id: string;
  labels: Record<string, string>;
  /** The names the engine has for it (repo:tag), when it reported them. */
  tags?: string[];
  /** Bytes, when the engine reported them. */
  size?: number;
  /** When it was built, epoch ms, when the engine reported it. */
  created?: number;
  /** The CPU architecture (amd64, arm64…) and OS (linux) it was built for, when the engine reported them. */
  architecture?: string;
  os?: string;
}

/** One local image as the engine lists it. */
export interface ImageSummary {
  id: string;
  /** repo:tag names; empty for an untagged image. */
  tags: string[];
  size: number;
  /** Epoch ms. */
  created: number;
  labels: Record<string, string>;
}

/** One result of a registry search through the engine. */
export interface ImageSearchResult {
  name: string;
  description: string;
  stars: number;
  official: boolean;
  automated: boolean;
}

export interface BuildImageRequest {
  /** Directory sent as the build context. */
  contextDir: string;
  /** Path of the Containerfile relative to contextDir. */
  containerfile: string;
  tag: string;
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
}

export interface ContainerRuntime {
  readonly info: EngineInfo;
  ping(): Promise<void>;

  imageExists(ref: string): Promise<boolean>;
  /** undefined when no such image exists. */
  inspectImage(ref: string): Promise<ImageInfo | undefined>;
  /** Builds an image; each line of build output goes to onProgress. Throws with the build's error text on failure. */
  buildImage(req: BuildImageRequest, onProgress?: (line: string) => void): Promise<void>;
  /** Imports a root filesystem tarball as an image (like `podman import`). */
  importImage(tarball: Readable, ref: string, onProgress?: (line: string) => void): Promise<void>;
  removeImage(ref: string): Promise<void>;
  /** Every local image (tagged or not). */
  listImages(): Promise<ImageSummary[]>;
  /** Pulls an image from its registry; throws with the engine's error text when the registry cannot be reached. */
  pullImage(ref: string, opts?: { platform?: string }, onProgress?: (line: string) => void): Promise<{ id: string }>;
  /** Searches a registry through the engine (a term may name one: "registry:port/name"). */
  searchImages(term: string, limit: number): Promise<ImageSearchResult[]>;

  /** Creates a container from a spec that only container-spec.ts can produce. Returns its id. */
  createContainer(spec: HardenedContainerSpec): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** undefined when no such container exists. */
  inspectContainer(id: string): Promise<ContainerState | undefined>;
  /** Resolves with the exit code when the container stops (at once if it already has). */
  waitContainer(id: string): Promise<number>;
  /**
   * The container's output as lines, stdout and stderr demultiplexed, from the very first line.
   * With follow, the iterable ends when the container stops; otherwise when the stored log is read.
   */
  /** Lines are cut at maxLineChars (default 1 Mi characters; the rest is counted in droppedChars). */
  logs(id: string, opts: { follow: boolean; signal?: AbortSignal; maxLineChars?: number }): AsyncIterable<LogLine>;
  /** SIGTERM, then SIGKILL after graceSeconds. No error if it is already stopped. */
  stopContainer(id: string, graceSeconds: number): Promise<void>;
  /** Removes a container (force kills a running one). No error if it is gone. */
  removeContainer(id: string): Promise<void>;
  /** Containers (running or not) carrying all the given labels. */
  listContainers(labels: Record<string, string>): Promise<ContainerSummary[]>;

  /**
   * owner: who owns the new volume's root. Podman would otherwise chown a new volume, at its first mount, to the owner
   * of the directory it is mounted over in the image (its local driver's `o=uid=,gid=` stops that); Docker leaves it.
   */
  createVolume(name: string, labels: Record<string, string>, owner?: { uid: number; gid: number }): Promise<void>;
  removeVolume(name: string): Promise<void>;
  /** Where a local volume's data lives on the engine's host (Paddock prepares a session HOME there), or undefined when there is no such volume. */
  volumeMountpoint(name: string): Promise<string | undefined>;
  listVolumes(labels: Record<string, string>): Promise<VolumeSummary[]>;

  listNetworks(labels: Record<string, string>): Promise<NetworkSummary[]>;
  removeNetwork(id: string): Promise<void>;
}
