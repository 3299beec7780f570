/**
 * Starting and tearing down a run's services (docs/services.md). A run with services gets its own network namespace,
 * held by a netns container with loopback only (no interface with a route out); each service container and then the
 * agent join it, and a hosts file in the run's directory names every service 127.0.0.1. Health checks (exec'd in the
 * service container) gate the agent's start. Everything is labelled with the run (kind service / netns), so teardown,
 * reconcile and gc find it by label alone.
 */
import { writeFileSync } from 'node:fs';
import { ErrorCode, PaddockError } from '../errors/index.ts';
import { buildNetnsHolderSpec, buildServiceContainerSpec, type ContainerRuntime, type ContainerSummary, LABEL, type ResourceLimits, type RunNetns } from '../runtime/index.ts';
import { cleanText, lastLines } from './clean.ts';
import { execIn } from './exec.ts';
import { type ServiceSpec, startOrder } from './schema.ts';

/** Every service container's limits (docs/services.md): enough for PostgreSQL or Redis with a test's data. */
export const SERVICE_LIMITS: ResourceLimits = { memoryBytes: 512 * 1024 ** 2, cpus: 1, pids: 256 };
/** Each of a service's tmpfs (/tmp and /run): its data lives there. */
export const SERVICE_TMP_BYTES = 256 * 1024 ** 2;

export interface StackContext {
  runtime: ContainerRuntime;
  instance: string;
  runId: string;
  /** An image with tini and sleep (Paddock's agent image): the netns holder's. */
  holderImage: string;
  /** Host path of the run's hosts file (in its run directory). */
  hostsFile: string;
  logMaxBytes?: number;
  /** A progress note in the run's events. */
  note: (message: string) => void;
  /** True once the run was asked to stop: waiting ends. */
  stopped: () => boolean;
}

/** Container names: unique per run (the run id is) and per service. */
export const netnsName = (runId: string) => `paddock-${runId}-netns`;
export const serviceName = (runId: string, service: string) => `paddock-${runId}-svc-${service}`;

/** The run's hosts file: localhost and every service on loopback (the namespace has nothing else). */
export function hostsFileText(runId: string, services: readonly string[]): string {
  return ['127.0.0.1\tlocalhost', `127.0.0.1\tpaddock-${runId.slice(0, 8)}`, ...services.map((s) => `127.0.0.1\t${s}`), '::1\tlocalhost ip6-localhost ip6-loopback', ''].join('\n');
}

/**
 * Creates the run's namespace and starts its services in dependency order (each once what it depends on is healthy),
 * then waits until every service with a health check passes it. Returns the namespace for the agent to join. On
 * failure it throws naming the service, with its last log lines; the caller tears down (removeRunServices).
 */
export async function startServices(c: StackContext, specs: readonly ServiceSpec[]): Promise<RunNetns> {
  writeFileSync(
    c.hostsFile,
    hostsFileText(
      c.runId,
      specs.map((s) => s.name),
    ),
    { mode: 0o644 },
  );
  const engine = c.runtime.info.kind;
  const holder = await c.runtime.createContainer(buildNetnsHolderSpec({ instance: c.instance, runId: c.runId, name: netnsName(c.runId), image: c.holderImage, engine }));
  await c.runtime.startContainer(holder);
  const netns: RunNetns = { containerId: holder, hostsFile: c.hostsFile };

  const ready = new Map<string, Promise<void>>();
  for (const s of startOrder(specs)) {
    const deps = s.dependsOn.map((d) => ready.get(d)).filter((p): p is Promise<void> => p !== undefined);
    ready.set(
      s.name,
      Promise.all(deps).then(() => startOne(c, s, netns)),
    );
  }
  // Every service is waited for: the first failure is the one reported, after the others settled (none left half made).
  const results = await Promise.allSettled(ready.values());
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return netns;
}

async function startOne(c: StackContext, s: ServiceSpec, netns: RunNetns): Promise<void> {
  if (c.stopped()) throw new PaddockError(ErrorCode.Conflict, `the run was stopped while its services started (before service ${s.name})`);
  const id = await c.runtime.createContainer(
    buildServiceContainerSpec({
      instance: c.instance,
      runId: c.runId,
      service: s.name,
      name: serviceName(c.runId, s.name),
      image: s.image,
      ...(s.command ? { command: s.command } : {}),
      env: s.environment,
      netns,
      limits: SERVICE_LIMITS,
      tmpBytes: SERVICE_TMP_BYTES,
      engine: c.runtime.info.kind,
      ...(c.logMaxBytes ? { logMaxBytes: c.logMaxBytes } : {}),
    }),
  );
  await c.runtime.startContainer(id);
  const started = Date.now();
  c.note(`service ${s.name} (${s.image}) started${s.healthcheck ? ': waiting for its health check' : ''}`);
  if (!s.healthcheck) {
    // No check: it must at least still be running a moment later (a service that exits at once fails the run here).
    await new Promise((r) => setTimeout(r, 300));
    const state = await c.runtime.inspectContainer(id);
    if (!state?.running) throw await serviceFailure(c, s, id, `exited at once (exit code ${state?.exitCode ?? '?'})`);
    return;
  }
  const h = s.healthcheck;
  let failures = 0;
  let last = '';
  let lastNote = started;
  for (let attempt = 1; ; attempt++) {
    if (c.stopped()) throw new PaddockError(ErrorCode.Conflict, `the run was stopped while service ${s.name} was starting`);
    const state = await c.runtime.inspectContainer(id);
    if (!state?.running) throw await serviceFailure(c, s, id, `exited before it became healthy (exit code ${state?.exitCode ?? '?'})`);
    const r = await execIn(c.runtime.info.socketPath, id, h.argv, { timeoutMs: h.timeoutMs }).catch((e: unknown) => ({ exitCode: -1, output: (e as Error).message }));
    if (r.exitCode === 0) {
      c.note(`service ${s.name} is healthy (after ${((Date.now() - started) / 1000).toFixed(1)} s, ${attempt} check${attempt === 1 ? '' : 's'})`);
      return;
    }
    last = r.exitCode === null ? `timed out after ${h.timeoutMs} ms` : `exit ${r.exitCode}${r.output.trim() ? `: ${cleanText(r.output.trim(), 300).replace(/\n/g, ' ')}` : ''}`;
    if (Date.now() - started >= h.startPeriodMs) failures++;
    if (failures >= h.retries) throw await serviceFailure(c, s, id, `never became healthy: ${failures} failed checks (${h.argv.join(' ').slice(0, 120)}); the last: ${last}`);
    if (Date.now() - lastNote >= 5000) {
      lastNote = Date.now();
      c.note(`service ${s.name}: still waiting for its health check (${failures} of ${h.retries} failed checks; the last: ${last})`);
    }
    await new Promise((r) => setTimeout(r, h.intervalMs));
  }
}

/** The error that fails the run: the service, what happened, and its last log lines (cleaned). */
async function serviceFailure(c: StackContext, s: ServiceSpec, id: string, what: string): Promise<PaddockError> {
  const lines: string[] = [];
  try {
    for await (const l of c.runtime.logs(id, { follow: false, maxLineChars: 2000 })) {
      lines.push(l.line);
      if (lines.length > 200) lines.shift();
    }
  } catch {
    // no log to show
  }
  const tail = lastLines(lines, 10);
  return new PaddockError(ErrorCode.InvalidInput, `service ${s.name} (${s.image}) ${what}${tail.length ? `. Its last log lines:\n  ${tail.join('\n  ')}` : '. It logged nothing'}`, {
    hint: 'check the service image and its healthcheck (paddock spawn --keep-services keeps a healthy run’s services for inspection)',
    details: { service: s.name },
  });
}

/** The run's service and netns containers, services first (a namespace goes once nothing joined to it is left). */
export async function runServiceContainers(runtime: ContainerRuntime, instance: string, runId: string): Promise<ContainerSummary[]> {
  const mine = { [LABEL.managed]: 'true', [LABEL.instance]: instance, [LABEL.run]: runId };
  const all = await runtime.listContainers(mine);
  return netnsLast(all.filter((c) => c.labels[LABEL.kind] === 'service' || c.labels[LABEL.kind] === 'netns'));
}

/**
 * Tears a run's services down: every service container removed, the namespace holder stopped and removed unless the
 * run's agent container still joins it (Podman refuses to remove it then: it goes with the agent container, in gc).
 * Returns the names removed.
 */
export async function removeRunServices(runtime: ContainerRuntime, instance: string, runId: string): Promise<string[]> {
  const removed: string[] = [];
  for (const c of await runServiceContainers(runtime, instance, runId)) {
    if (c.labels[LABEL.kind] === 'netns') {
      await runtime.stopContainer(c.id, 0).catch(() => {});
      if (
        await runtime.removeContainer(c.id).then(
          () => true,
          () => false,
        )
      )
        removed.push(c.name);
    } else {
      await runtime.removeContainer(c.id);
      removed.push(c.name);
    }
  }
  return removed;
}

/** Containers in an order that removes each namespace holder after the containers that joined it. */
export function netnsLast<T extends { labels: Record<string, string> }>(list: readonly T[]): T[] {
  const rank = (c: T) => (c.labels[LABEL.kind] === 'netns' ? 1 : 0);
  return [...list].sort((a, b) => rank(a) - rank(b));
}
