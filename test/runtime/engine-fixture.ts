/**
 * Shared setup for the runtime suite: the engines to run against, a test image built through buildImage, and a
 * tracker that removes everything a test created (containers, volumes, images, networks, temp dirs), even on failure.
 * Everything carries dev.paddock.instance=<unique per run>, and the final sweep only touches that instance.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Docker from 'dockerode';
import {
  type AgentContainerInput,
  buildAgentContainerSpec,
  DockerEngineRuntime,
  type EngineKind,
  IN_CONTAINER,
  LABEL,
  paddockLabels,
  type LogLine,
  writeIdentityFiles,
} from '../../src/runtime/index.ts';

export const ENGINES: { kind: EngineKind; socket: string }[] = [
  { kind: 'podman', socket: process.env.PADDOCK_TEST_PODMAN_SOCKET ?? '/run/paddock/podman.sock' },
  { kind: 'docker', socket: process.env.PADDOCK_TEST_DOCKER_SOCKET ?? '/run/paddock/docker.sock' },
];

export const BASE_IMAGE = 'localhost/paddock-base:bookworm';
export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'images', 'runtime-test');

/** Why an engine's tests are skipped, or undefined when it answers. */
export async function skipReason(socket: string): Promise<string | undefined> {
  if (!existsSync(socket)) return `no engine socket at ${socket} (run \`bash scripts/setup.sh --docker\`)`;
  const why = await DockerEngineRuntime.probe(socket);
  return why === undefined ? undefined : `the engine at ${socket} does not answer: ${why}`;
}

export function uniqueInstance(prefix = 'rt'): string {
  return `${prefix}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** One engine, one instance label, and a list of what to remove afterwards. */
export class EngineFixture {
  readonly rt: DockerEngineRuntime;
  /** Raw client, for assertions the port does not offer (top, raw inspect) and for test-only setup (networks). */
  readonly docker: Docker;
  readonly instance: string;
  readonly image: string;
  private readonly containers = new Set<string>();
  private readonly volumes = new Set<string>();
  private readonly images = new Set<string>();
  private readonly networks = new Set<string>();
  private readonly dirs = new Set<string>();
  private counter = 0;

  private constructor(rt: DockerEngineRuntime, instance: string) {
    this.rt = rt;
    this.docker = new Docker({ socketPath: rt.info.socketPath });
    this.instance = instance;
    this.image = `localhost/paddock-rt-test:${instance}`;
  }

  static async open(socket: string, prefix?: string): Promise<EngineFixture> {
    return new EngineFixture(await DockerEngineRuntime.connect(socket), uniqueInstance(prefix));
  }

  /** Builds the test image (user 1000, tini entrypoint) through the adapter. Needs the base image in the engine. */
  async buildTestImage(): Promise<void> {
    if (!(await this.rt.imageExists(BASE_IMAGE))) {
      throw new Error(`${BASE_IMAGE} is not in the ${this.rt.info.kind} engine: import /tmp/setup/base.tar (see DESIGN.md)`);
    }
    this.images.add(this.image);
    await this.rt.buildImage({ contextDir: FIXTURE_DIR, containerfile: 'Containerfile', tag: this.image, labels: this.labels('image') });
  }

  labels(kind: 'agent' | 'session-home' | 'network' | 'image' | 'probe' = 'agent', extra: { run?: string; session?: string } = {}): Record<string, string> {
    return paddockLabels(this.instance, kind, extra);
  }

  name(what: string): string {
    return `paddock-${this.instance}-${what}-${++this.counter}`;
  }

  tempDir(what: string, opts: { owner1000?: boolean; mode?: number } = {}): string {
    const dir = mkdtempSync(join(tmpdir(), `paddock-rt-${what}-`));
    this.dirs.add(dir);
    if (opts.mode !== undefined) chmodSync(dir, opts.mode);
    // The workspace layer gives each clone to UID 1000 before the container starts; do the same.
    if (opts.owner1000) chownSync(dir, 1000, 1000);
    return dir;
  }

  async volume(): Promise<string> {
    const name = this.name('home');
    this.volumes.add(name);
    // Paddock hands a session HOME to the run's UID (app/jail.ts): Podman is told the owner, Docker leaves it to us.
    await this.rt.createVolume(name, this.labels('session-home'), { uid: 1000, gid: 1000 });
    const mountpoint = await this.rt.volumeMountpoint(name);
    if (mountpoint && process.getuid?.() === 0) chownSync(mountpoint, 1000, 1000);
    return name;
  }

  trackContainer(id: string): string {
    this.containers.add(id);
    return id;
  }
  trackVolume(name: string): void {
    this.volumes.add(name);
  }
  trackImage(ref: string): void {
    this.images.add(ref);
  }
  trackNetwork(id: string): void {
    this.networks.add(id);
  }

  /** A hardened agent container spec (the only kind the runtime accepts) running argv in the test image. */
  async spec(argv: string[], over: Partial<AgentContainerInput> = {}) {
    const runId = over.runId ?? randomBytes(8).toString('hex');
    return buildAgentContainerSpec({
      instance: this.instance,
      runId,
      sessionId: over.sessionId ?? `s-${runId}`,
      name: over.name ?? this.name('c'),
      image: over.image ?? this.image,
      argv,
      env: over.env ?? {},
      checkoutDir: over.checkoutDir ?? this.tempDir('checkout', { owner1000: true }),
      sharedObjectsDir: over.sharedObjectsDir ?? this.tempDir('objects'),
      sessionVolume: over.sessionVolume ?? (await this.volume()),
      relayDir: over.relayDir ?? this.tempDir('relay'),
      limits: over.limits ?? { memoryBytes: 256 * 1024 * 1024, cpus: 1, pids: 128 },
      identity: over.identity ?? writeIdentityFiles(this.tempDir('identity'), 1000, 1000, IN_CONTAINER.home),
      engine: over.engine ?? this.rt.info.kind,
    });
  }

  /** Creates (and tracks) a container running argv; started unless told otherwise. */
  async run(argv: string[], over: Partial<AgentContainerInput> = {}, opts: { start?: boolean } = {}): Promise<string> {
    const id = this.trackContainer(await this.rt.createContainer(await this.spec(argv, over)));
    if (opts.start !== false) await this.rt.startContainer(id);
    return id;
  }

  async lines(id: string, follow = false): Promise<LogLine[]> {
    const out: LogLine[] = [];
    for await (const l of this.rt.logs(id, { follow })) out.push(l);
    return out;
  }

  /** Removes everything this fixture made, then anything else carrying its instance label. Never throws. */
  async cleanup(): Promise<void> {
    const quietly = async (f: () => Promise<unknown>) => {
      try {
        await f();
      } catch {
        // best effort: cleanup must go on
      }
    };
    const byLabel = { [LABEL.instance]: this.instance };
    for (const c of await this.rt.listContainers(byLabel).catch(() => [])) this.containers.add(c.id);
    for (const id of this.containers) await quietly(() => this.rt.removeContainer(id));
    for (const v of await this.rt.listVolumes(byLabel).catch(() => [])) this.volumes.add(v.name);
    for (const v of this.volumes) await quietly(() => this.rt.removeVolume(v));
    for (const n of await this.rt.listNetworks(byLabel).catch(() => [])) this.networks.add(n.id);
    for (const n of this.networks) await quietly(() => this.rt.removeNetwork(n));
    for (const i of this.images) await quietly(() => this.rt.removeImage(i));
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}
