/**
 * Services per run (docs/services.md): checked at spawn (images present and allowed by the image policy), stored with
 * the run, started before its agent (prepare), and torn down when it ends, whichever way (supervisor's finish, abandon,
 * reconcile); --keep-services leaves them for inspection and gc removes them later.
 */
import { dirname, join } from 'node:path';
import { ErrorCode, invalidInput, PaddockError } from '../errors/index.ts';
import { isTerminal, type Run } from '../jobs/index.ts';
import { type ContainerRuntime, LABEL, type RunNetns } from '../runtime/index.ts';
import { loadCompose, normaliseServices, removeRunServices, type ServiceSpec, startServices } from '../services/index.ts';
import { RunServicesRepo, type RunServices } from '../store/run-services-repo.ts';
import type { Paddock } from './context.ts';
import { checkImagePolicy, checkRepoPolicy } from './policy.ts';
import type { SpawnInput } from './spawn-input.ts';

export const runServicesRepo = (p: Paddock): RunServicesRepo => new RunServicesRepo(p.db);

/** What a spawn request says about services. */
export interface ServicesRequest {
  services?: unknown;
  keepServices?: boolean | undefined;
  /** The run's network mode as settled. */
  networkMode: string;
  /** A Compose run: the service the agent runs in. */
  compose?: { service: string } | undefined;
}

/** The run's services, checked before anything is made: every image present in the engine and allowed by policy. */
export async function settleServices(p: Paddock, runtime: ContainerRuntime, req: ServicesRequest): Promise<RunServices> {
  const services: ServiceSpec[] = req.services === undefined ? [] : normaliseServices(req.services);
  if (services.length === 0) {
    if (req.keepServices) throw invalidInput('keepServices applies to runs with services', 'add services, or leave keepServices out');
    return { services, keep: false, composeService: null };
  }
  if (req.networkMode === 'open')
    throw invalidInput('services need the run in its own network namespace: a run with network open cannot have services', 'leave network open out (network proxy or none)');
  await checkServiceImages(p, runtime, services);
  return { services, keep: req.keepServices === true, composeService: req.compose?.service ?? null };
}

/**
 * A Compose run (podman.environment type compose): the file is read and checked (app/services → services/compose.ts),
 * its named service's image becomes the run's image and the other services the run's services. The file's directory
 * must be one the repository policy allows (PADDOCK_REPO_ALLOW), since the daemon reads it.
 */
export async function withCompose(p: Paddock, input: SpawnInput): Promise<SpawnInput> {
  const c = input.compose;
  if (!c) return input;
  if (input.services !== undefined) throw invalidInput('services and compose: give the services in the Compose file', 'leave services out, or leave compose out');
  checkRepoPolicy(p, dirname(c.path));
  const env = await loadCompose(c.path, c.service);
  if (input.image !== undefined && input.image !== env.image)
    throw invalidInput(`image ${input.image.slice(0, 200)} and compose service ${c.service} (image ${env.image}): the agent runs in the Compose service's image`, 'leave image out');
  return { ...input, image: env.image, services: env.inputs };
}

export async function checkServiceImages(p: Paddock, runtime: ContainerRuntime, services: readonly ServiceSpec[]): Promise<void> {
  for (const s of services) {
    checkImagePolicy(p, s.image);
    if (!(await runtime.imageExists(s.image)))
      throw new PaddockError(ErrorCode.ImageNotFound, `service ${s.name}: image ${s.image} is not in the engine (${runtime.info.kind})`, {
        hint: 'build it first (no registry is pulled from for services)',
      });
  }
}

export const hostsFileOf = (run: Pick<Run, 'runDir'>) => join(run.runDir, 'hosts');

/** Starts the run's services (none: undefined) and returns the namespace its agent joins. */
export async function startRunServices(p: Paddock, run: Run): Promise<RunNetns | undefined> {
  const rs = runServicesRepo(p).get(run.id);
  if (!rs || rs.services.length === 0) return undefined;
  const runtime = await p.runtime();
  p.events.append(run.id, { kind: 'note', message: `starting ${rs.services.length} service${rs.services.length === 1 ? '' : 's'}: ${rs.services.map((s) => s.name).join(', ')}` });
  return startServices(
    {
      runtime,
      instance: p.instance,
      runId: run.id,
      holderImage: p.config.image,
      hostsFile: hostsFileOf(run),
      ...(p.config.containerLogSize ? { logMaxBytes: p.config.containerLogSize } : {}),
      note: (message) => p.events.append(run.id, { kind: 'note', message }),
      stopped: () => p.runs.get(run.id)?.stopRequested != null,
    },
    rs.services,
  );
}

/** The run ended: its services go, unless it keeps them (then gc removes them). */
export async function teardownRunServices(p: Paddock, run: Run): Promise<void> {
  const rs = runServicesRepo(p).get(run.id);
  if (!rs) return;
  const runtime = await p.runtime();
  if (rs.keep) {
    p.events.append(run.id, { kind: 'note', message: 'services kept for inspection (--keep-services): `paddock gc` removes them' });
    return;
  }
  const removed = await removeRunServices(runtime, p.instance, run.id);
  if (removed.length) p.events.append(run.id, { kind: 'note', message: `services removed: ${removed.join(', ')}` });
}

/** A run that never started: its services go whatever keep says (nothing of a failed start is left running). */
export async function abandonRunServices(p: Paddock, run: Run): Promise<void> {
  if (!runServicesRepo(p).get(run.id)) return;
  const runtime = await p.runtime();
  await removeRunServices(runtime, p.instance, run.id);
}

/**
 * Reconcile: services of runs that ended while no daemon was there to tear them down (kept ones stay for gc).
 * Returns the names removed.
 */
export async function sweepEndedRunServices(p: Paddock): Promise<string[]> {
  const runtime = await p.runtime();
  const removed: string[] = [];
  const runs = new Set<string>();
  for (const c of await runtime.listContainers({ [LABEL.managed]: 'true', [LABEL.instance]: p.instance, [LABEL.kind]: 'service' })) runs.add(c.labels[LABEL.run] ?? '');
  for (const id of runs) {
    const run = p.runs.get(id);
    if (!run || !isTerminal(run.state) || runServicesRepo(p).get(id)?.keep) continue;
    removed.push(...(await removeRunServices(runtime, p.instance, id)));
  }
  return removed;
}
