/**
 * The one place an agent container's spec is assembled. Everything here is hardened by default;
 * the runtime adapter accepts nothing but the branded spec this module returns.
 */
import type Docker from 'dockerode';
import type { AgentIdentity } from './identity.ts';
import { LABEL, paddockLabels } from './labels.ts';
import { seccompSecurityOpt } from './seccomp/index.ts';

/** Where things appear inside every agent container. */
export const IN_CONTAINER = {
  workspace: '/workspace',
  home: '/home/agent',
  /** Holds the model relay's unix socket (a directory, so a restarted relay's new socket is visible). */
  relayDir: '/run/paddock',
  /** The run's secrets (NAME=base64 lines), read by the entry script at start; outside relayDir, which is a mount of its own. */
  secretsFile: '/run/paddock-secrets/env',
  /** Paddock's read-only toolbox, in images other than its own (images/toolbox.ts); short, as its loader's paths must be. */
  toolbox: '/opt/paddock',
  /** The run's lifecycle hooks plan (app/hooks.ts), read by the entry script's hooks section before the agent starts. */
  hooksPlan: '/run/paddock-hooks/plan',
} as const;

export interface ResourceLimits {
  memoryBytes: number;
  /** CPUs, fractional allowed (1.5 = one and a half cores). */
  cpus: number;
  pids: number;
}

export interface AgentContainerInput {
  instance: string;
  runId: string;
  sessionId: string;
  name: string;
  image: string;
  argv: string[];
  env: Record<string, string>;
  /** The run's own UID and GID (no host account; runtime/identity.ts), and the passwd/group files naming it `agent`. */
  identity: AgentIdentity;
  /** Host path of the run's private clone, mounted read-write at /workspace. */
  checkoutDir: string;
  /**
   * Host path of the user's repository objects dir: mounted read-only at the same path (the clone's alternates point
   * there). Absent for a workspace that is not a clone (scratch, or a plain directory mounted as it is).
   */
  sharedObjectsDir?: string;
  /** Named volume holding the session's HOME (Claude's ~/.claude), so --resume works in a fresh container. */
  sessionVolume: string;
  /** Host directory holding the model relay socket, mounted read-only at /run/paddock. */
  relayDir: string;
  /** The run asked for network open (the server permits it): a bridge network instead of none. */
  networkOpen?: boolean;
  limits: ResourceLimits;
  /**
   * Extra host paths the mount policy allowed (app/policy.ts: host resolved, container path checked), read-only unless
   * granted otherwise; nosuid,nodev where the engine's binds take them (Podman; Docker gets read-only ones only).
   */
  extraMounts?: readonly { host: string; container: string; readOnly: boolean }[];
  /** Which engine takes the spec: bind options and how the seccomp profile is passed differ. */
  engine: 'podman' | 'docker';
  /** Host path of the run's secrets file on a tmpfs (secrets/run-file.ts), mounted read-only at IN_CONTAINER.secretsFile. */
  secretsFile?: string;
  /** Host path of the run's hooks plan (app/hooks.ts), mounted read-only at IN_CONTAINER.hooksPlan. */
  hooksPlan?: string;
  /** The most of the container's log the engine keeps (LogConfig max-size, one file; Podman 4.3's compat API and Docker both take it). */
  logMaxBytes?: number;
  /**
   * An interactive run (docs/shell.md): a TTY and an open stdin, so a terminal can attach (and detach and attach again:
   * stdin stays open). Nothing else of the jail changes.
   */
  tty?: boolean;
  /**
   * Host path of Paddock's toolbox (images/toolbox.ts), for an image that is not Paddock's agent image: mounted
   * read-only at IN_CONTAINER.toolbox, and the entrypoint (tini, then the entry script) is the toolbox's. Nothing else
   * of the jail changes: same user, limits, mounts, network; the entry script appends the toolbox to the image's PATH.
   */
  toolboxDir?: string;
  /**
   * A run with services (docs/services.md): the agent joins the run's network namespace (held by its netns container,
   * loopback only: no route out) instead of having none, and sees the services by name through the run's hosts file.
   */
  netns?: RunNetns;
}

/** The network namespace a run with services shares: its holder container's id and the run's hosts file (host path). */
export interface RunNetns {
  containerId: string;
  hostsFile: string;
}

declare const hardened: unique symbol;
/** A container spec built by buildAgentContainerSpec; the brand keeps hand-assembled specs out of the runtime. */
export type HardenedContainerSpec = Docker.ContainerCreateOptions & { readonly [hardened]: true };

export function buildAgentContainerSpec(input: AgentContainerInput): HardenedContainerSpec {
  const { limits } = input;
  const spec: Docker.ContainerCreateOptions = {
    name: input.name,
    Image: input.image,
    // tini is the image's ENTRYPOINT (PID 1, reaps zombies, forwards signals); this is its argument list.
    Cmd: input.argv,
    ...(input.toolboxDir ? { Entrypoint: toolboxEntrypoint() } : {}),
    WorkingDir: IN_CONTAINER.workspace,
    User: `${input.identity.uid}:${input.identity.gid}`,
    // A container joining another's network namespace takes its hostname (the engines refuse one of its own).
    ...(input.netns ? {} : { Hostname: `paddock-${input.runId.slice(0, 8)}` }),
    Env: Object.entries({ ...input.env, HOME: IN_CONTAINER.home, PADDOCK_RUN_ID: input.runId, ...(input.toolboxDir ? { PADDOCK_TOOLBOX: IN_CONTAINER.toolbox } : {}) }).map(([k, v]) => `${k}=${v}`),
    Labels: paddockLabels(input.instance, 'agent', { run: input.runId, session: input.sessionId }),
    AttachStdin: input.tty === true,
    OpenStdin: input.tty === true,
    StdinOnce: false,
    Tty: input.tty === true,
    NetworkDisabled: false,
    StopSignal: 'SIGTERM',
    HostConfig: {
      Binds: [
        // nosuid,nodev where the engine's binds take them (Podman; Docker refuses the options: there no-new-privileges
        // keeps setuid bits from raising anything, no capability can make a device, and finalize strips the bits).
        `${input.checkoutDir}:${IN_CONTAINER.workspace}:rw${noSuid(input.engine)}`,
        ...(input.sharedObjectsDir ? [`${input.sharedObjectsDir}:${input.sharedObjectsDir}:ro`] : []),
        // nocopy: the image's /home/agent is not copied in (nor its owner onto the volume); Paddock prepares HOME itself.
        `${input.sessionVolume}:${IN_CONTAINER.home}:rw,nocopy${noSuid(input.engine)}`,
        `${input.identity.passwdFile}:/etc/passwd:ro`,
        `${input.identity.groupFile}:/etc/group:ro`,
        `${input.relayDir}:${IN_CONTAINER.relayDir}:ro`,
        ...(input.toolboxDir ? [`${input.toolboxDir}:${IN_CONTAINER.toolbox}:ro${noSuid(input.engine)}`] : []),
        ...(input.extraMounts ?? []).map((m) => `${m.host}:${m.container}:${m.readOnly ? 'ro' : 'rw'}${input.engine === 'docker' ? '' : ',nosuid,nodev'}`),
        ...(input.secretsFile ? [`${input.secretsFile}:${IN_CONTAINER.secretsFile}:ro${input.engine === 'docker' ? '' : ',nosuid,nodev,noexec'}`] : []),
        ...(input.hooksPlan ? [`${input.hooksPlan}:${IN_CONTAINER.hooksPlan}:ro${input.engine === 'docker' ? '' : ',nosuid,nodev,noexec'}`] : []),
        ...(input.netns ? [`${input.netns.hostsFile}:/etc/hosts:ro`] : []),
      ],
      // No network at all: the model is reached through the relay socket above, egress through the egress proxy's
      // socket beside it. Only a run with network open (permitted by PADDOCK_EGRESS_OPEN) gets the engine's bridge.
      ...hardening(limits, { '/tmp': 'rw,nosuid,nodev,size=512m,mode=1777', '/var/tmp': 'rw,nosuid,nodev,size=64m,mode=1777' }, input.engine),
      ...(input.networkOpen ? { NetworkMode: 'bridge' } : {}),
      ...(input.netns ? { NetworkMode: `container:${input.netns.containerId}` } : {}),
      ...(input.logMaxBytes ? { LogConfig: { Type: 'json-file', Config: { 'max-size': String(input.logMaxBytes), 'max-file': '1' } } } : {}),
    },
  };
  return spec as HardenedContainerSpec;
}

export interface HelperContainerInput {
  instance: string;
  /** The run it works for (labelled, so reconcile and gc know whose it is). */
  runId: string;
  /** Unique per helper. */
  name: string;
  image: string;
  /** Run under the image's entrypoint (tini), as the agent's command is. */
  argv: string[];
  env?: Record<string, string>;
  /** Host paths mounted read-only: a helper never writes anything the host reads back, except its output. */
  readOnlyMounts: { host: string; container: string }[];
  limits: ResourceLimits;
  /** Size of its writable /tmp (its only scratch space), bytes. */
  tmpBytes: number;
  /** Runs as the run's own UID and GID (so git reads the run's clone as its owner). */
  user: { uid: number; gid: number };
  engine: 'podman' | 'docker';
}

/**
 * A short-lived helper container: the agent's hardening (the run's UID, no capabilities, no new privileges, no network,
 * read-only root, tini, limits), no session HOME, no relay socket, and nothing mounted writable. Paddock runs tools
 * over what an agent can still write (its live clone) only in one of these, never on the host.
 */
export function buildHelperContainerSpec(input: HelperContainerInput): HardenedContainerSpec {
  const { limits } = input;
  for (const m of input.readOnlyMounts) {
    if (!m.host.startsWith('/') || !m.container.startsWith('/') || /[:,\0\n]/.test(m.host + m.container))
      throw new Error(`helper mount ${m.host} → ${m.container}: paths must be absolute, without ':' or ','`);
  }
  const spec: Docker.ContainerCreateOptions = {
    name: input.name,
    Image: input.image,
    Cmd: input.argv,
    WorkingDir: '/tmp',
    User: `${input.user.uid}:${input.user.gid}`,
    Hostname: `paddock-helper-${input.runId.slice(0, 8)}`,
    // No PADDOCK_RUN_ID: the entry script starts no model bridge.
    Env: Object.entries({ ...input.env, HOME: '/tmp' }).map(([k, v]) => `${k}=${v}`),
    Labels: paddockLabels(input.instance, 'helper', { run: input.runId }),
    AttachStdin: false,
    OpenStdin: false,
    Tty: false,
    StopSignal: 'SIGKILL',
    HostConfig: {
      Binds: input.readOnlyMounts.map((m) => `${m.host}:${m.container}:ro`),
      ...hardening(limits, { '/tmp': `rw,nosuid,nodev,size=${input.tmpBytes},mode=1777` }, input.engine),
    },
  };
  return spec as HardenedContainerSpec;
}

export interface NetnsHolderInput {
  instance: string;
  runId: string;
  /** Unique per run. */
  name: string;
  /** An image with tini and sleep (Paddock's agent image). */
  image: string;
  engine: 'podman' | 'docker';
}

/**
 * The holder of a run's network namespace (docs/services.md): a container that only sleeps, with no network but
 * loopback, which the run's services and its agent join (NetworkMode container:<id>). So the run's containers reach
 * each other on 127.0.0.1 and nothing else: no interface with a route out, no engine network to firewall, no port on
 * the host, and each run's namespace is its own (parallel runs never share a port). Hardened like a helper.
 */
export function buildNetnsHolderSpec(input: NetnsHolderInput): HardenedContainerSpec {
  const spec: Docker.ContainerCreateOptions = {
    name: input.name,
    Image: input.image,
    Entrypoint: ['/usr/bin/tini', '--'],
    Cmd: ['sleep', 'infinity'],
    User: '65534:65534',
    Hostname: `paddock-${input.runId.slice(0, 8)}`,
    Labels: paddockLabels(input.instance, 'netns', { run: input.runId }),
    AttachStdin: false,
    OpenStdin: false,
    Tty: false,
    StopSignal: 'SIGKILL',
    HostConfig: hardening({ memoryBytes: 16 * 1024 ** 2, cpus: 0.1, pids: 8 }, {}, input.engine),
  };
  return spec as HardenedContainerSpec;
}

export interface ServiceContainerInput {
  instance: string;
  runId: string;
  /** The service's name in the run (labelled, and its host name in the run's hosts file). */
  service: string;
  /** Unique per run and service. */
  name: string;
  image: string;
  /** Replaces the image's CMD (its ENTRYPOINT stays); absent: the image's own. */
  command?: readonly string[];
  env: Record<string, string>;
  netns: RunNetns;
  limits: ResourceLimits;
  /** Size of each writable tmpfs (/tmp and /run), bytes: a service's only writable places (its data lives there). */
  tmpBytes: number;
  engine: 'podman' | 'docker';
  logMaxBytes?: number;
}

/**
 * A service container of a run (docs/services.md): the agent's jail (no capabilities at all, no new privileges,
 * Paddock's seccomp profile, read-only root, limits, no restarts) but the image's own user, entrypoint and command,
 * since a service such as PostgreSQL runs as its own account; its only writable places are tmpfs /tmp and /run, so
 * its data dies with it. Its network is the run's namespace: loopback only, shared with the run's agent and services.
 */
export function buildServiceContainerSpec(input: ServiceContainerInput): HardenedContainerSpec {
  if (/[:,\0\n]/.test(input.netns.hostsFile) || !input.netns.hostsFile.startsWith('/')) throw new Error(`hosts file ${input.netns.hostsFile}: an absolute path without ':' or ','`);
  const tmp = `rw,nosuid,nodev,size=${input.tmpBytes},mode=1777`;
  const spec: Docker.ContainerCreateOptions = {
    name: input.name,
    Image: input.image,
    ...(input.command ? { Cmd: [...input.command] } : {}),
    Env: Object.entries(input.env).map(([k, v]) => `${k}=${v}`),
    Labels: { ...paddockLabels(input.instance, 'service', { run: input.runId }), [LABEL.service]: input.service },
    AttachStdin: false,
    OpenStdin: false,
    Tty: false,
    StopSignal: 'SIGTERM',
    HostConfig: {
      Binds: [`${input.netns.hostsFile}:/etc/hosts:ro`],
      ...hardening(input.limits, { '/tmp': tmp, '/run': tmp }, input.engine),
      NetworkMode: `container:${input.netns.containerId}`,
      ...(input.logMaxBytes ? { LogConfig: { Type: 'json-file', Config: { 'max-size': String(input.logMaxBytes), 'max-file': '1' } } } : {}),
    },
  };
  return spec as HardenedContainerSpec;
}

/**
 * The jail every container Paddock makes gets, agent or helper: no network, no capabilities, no privilege gain,
 * Paddock's seccomp profile (runtime/seccomp: no keyrings, no new namespaces, no ptrace, no AF_VSOCK), a read-only
 * root with only the given tmpfs writable, real memory (no swap), CPU and process limits, its own IPC, tini from the
 * image as the only init, and no restarts.
 */
function hardening(limits: ResourceLimits, tmpfs: Record<string, string>, engine: 'podman' | 'docker'): Docker.HostConfig {
  return {
    NetworkMode: 'none',
    CapDrop: ['ALL'],
    SecurityOpt: ['no-new-privileges', seccompSecurityOpt(engine)],
    Privileged: false,
    ReadonlyRootfs: true,
    Tmpfs: tmpfs,
    Memory: limits.memoryBytes,
    // Same as Memory: no swap, so the memory limit is a real limit.
    MemorySwap: limits.memoryBytes,
    NanoCpus: Math.round(limits.cpus * 1e9),
    PidsLimit: limits.pids,
    IpcMode: 'private',
    // tini from the image is PID 1; the engine's own init would be a second one.
    Init: false,
    AutoRemove: false,
    RestartPolicy: { Name: 'no' },
  };
}

/** The toolbox's tini as PID 1, running the one entry script with the toolbox's bash (the image may have none). */
function toolboxEntrypoint(): string[] {
  const tb = IN_CONTAINER.toolbox;
  return [`${tb}/libexec/tini`, '--', `${tb}/libexec/bash`, `${tb}/libexec/paddock-agent-entry`];
}

/** Bind options that keep setuid bits and device nodes inert, for the engines whose binds take them. */
const noSuid = (engine: 'podman' | 'docker'): string => (engine === 'docker' ? '' : ',nosuid,nodev');
