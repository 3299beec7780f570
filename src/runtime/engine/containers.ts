/** Containers: create (from a hardened spec only), start, inspect, wait, stop, remove, list. */
import type { HardenedContainerSpec } from '../container-spec.ts';
import { statusOf } from '../engine-errors.ts';
import type { ContainerState, ContainerSummary } from '../port.ts';
import type { EngineClient } from './client.ts';
import { hasLabels, labelFilter } from './label-filter.ts';

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

/** Podman and Docker both report a never-set time as Go's zero time. */
function parseTime(s: string | undefined): Date | null {
  if (s === undefined || s === '' || s.startsWith('0001-01-01')) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

export class EngineContainers {
  private readonly client: EngineClient;
  /**
   * Containers this process asked to stop. The engine's OOMKilled flag is missing or late (see inferOom), so a 137 exit is
   * read as an OOM kill unless we sent the stop ourselves, in which case 137 is our SIGKILL after the grace period.
   */
  private readonly stopsRequested = new Set<string>();

  constructor(client: EngineClient) {
    this.client = client;
  }

  async create(spec: HardenedContainerSpec): Promise<string> {
    const { name, ...body } = spec;
    const created = await this.client.request<{ Id: string }>(
      {
        path: '/containers/create?',
        method: 'POST',
        options: { _query: name === undefined ? {} : { name }, _body: body },
        statusCodes: { 200: true, 201: true },
      },
      `create container${name === undefined ? '' : ` ${name}`} from ${spec.Image ?? '(no image)'}`,
    );
    return created.Id;
  }

  async start(id: string): Promise<void> {
    await this.client.request({ path: `/containers/${id}/start`, method: 'POST', statusCodes: { 204: true, 304: true } }, `start container ${id}`);
  }

  async inspect(id: string): Promise<ContainerState | undefined> {
    const json = await this.client.requestOrAbsent<InspectJson>({ path: `/containers/${id}/json`, method: 'GET', statusCodes: { 200: true } }, `inspect container ${id}`);
    return json === undefined ? undefined : this.toState(id, json);
  }

  async wait(id: string): Promise<number> {
    // Default condition "not-running": resolves at once for a container that has already stopped.
    const r = await this.client.request<{ StatusCode: number }>({ path: `/containers/${id}/wait`, method: 'POST', statusCodes: { 200: true } }, `wait for container ${id}`);
    return r.StatusCode;
  }

  async stop(id: string, graceSeconds: number): Promise<void> {
    this.stopsRequested.add(id);
    // 304: already stopped; 404: gone. Both are what the caller wanted.
    await this.client.requestOrAbsent(
      {
        path: `/containers/${id}/stop?`,
        method: 'POST',
        options: { _query: { t: Math.max(0, Math.round(graceSeconds)) }, _body: {} },
        statusCodes: { 204: true, 304: true },
      },
      `stop container ${id}`,
    );
  }

  async remove(id: string): Promise<void> {
    try {
      await this.client.requestOrAbsent(
        { path: `/containers/${id}?`, method: 'DELETE', options: { force: true, v: false }, statusCodes: { 200: true, 204: true } },
        `remove container ${id}`,
        // 409 "removal already in progress": someone else is doing it.
        (e) => statusOf(e) === 409 && /in progress/i.test(String((e as Error).message)),
      );
    } finally {
      this.stopsRequested.delete(id);
    }
  }

  async list(labels: Record<string, string>): Promise<ContainerSummary[]> {
    const list = await this.client.request<ContainerListJson[]>(
      {
        path: '/containers/json?',
        method: 'GET',
        options: { all: true, ...labelFilter(labels) },
        statusCodes: { 200: true },
      },
      'list containers',
    );
    return list
      .filter((c) => hasLabels(c.Labels, labels))
      .map((c) => ({
        id: c.Id,
        name: (c.Names?.[0] ?? '').replace(/^\//, ''),
        labels: c.Labels ?? {},
        status: c.State ?? 'unknown',
        running: c.State === 'running',
      }));
  }

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
   * the container's bundle directory where Podman looks). Docker 20.10 sets it from an OOM event that races the exit
   * event: under load the container can be seen exited, with 137 and OOMKilled still false (CI caught it). So on both, a
   * memory-limited container that ended with 137 (SIGKILL) is taken as OOM-killed, unless this process stopped it: then
   * the 137 is the SIGKILL after the grace period.
   */
  private inferOom(j: InspectJson, exitCode: number | null, ids: string[]): boolean {
    if (exitCode !== 137) return false;
    if ((j.HostConfig?.Memory ?? 0) <= 0) return false;
    for (const id of ids) if (id !== '' && this.stopsRequested.has(id)) return false;
    for (const s of this.stopsRequested) if (j.Id.startsWith(s)) return false;
    return true;
  }
}
