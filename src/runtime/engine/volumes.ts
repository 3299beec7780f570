/** Volumes: a run session's HOME lives in one. */
import type { VolumeSummary } from '../port.ts';
import type { EngineClient } from './client.ts';
import { hasLabels, labelFilter } from './label-filter.ts';

export class EngineVolumes {
  private readonly client: EngineClient;

  constructor(client: EngineClient) {
    this.client = client;
  }

  /** owner (Podman only): the local driver's uid/gid options, so the engine never chowns the volume itself. */
  async create(name: string, labels: Record<string, string>, owner?: { uid: number; gid: number }): Promise<void> {
    const driverOpts = owner ? { DriverOpts: { o: `uid=${owner.uid},gid=${owner.gid}` } } : {};
    await this.client.request({ path: '/volumes/create', method: 'POST', options: { Name: name, Labels: labels, ...driverOpts }, statusCodes: { 200: true, 201: true } }, `create volume ${name}`);
  }

  async remove(name: string): Promise<void> {
    await this.client.requestOrAbsent({ path: `/volumes/${name}`, method: 'DELETE', statusCodes: { 204: true } }, `remove volume ${name}`);
  }

  async mountpoint(name: string): Promise<string | undefined> {
    const v = await this.client.requestOrAbsent<{ Mountpoint?: string }>({ path: `/volumes/${name}`, method: 'GET', statusCodes: { 200: true } }, `inspect volume ${name}`);
    return v?.Mountpoint || undefined;
  }

  async list(labels: Record<string, string>): Promise<VolumeSummary[]> {
    const r = await this.client.request<{ Volumes?: { Name: string; Labels?: Record<string, string> | null }[] | null }>(
      {
        path: '/volumes?',
        method: 'GET',
        options: labelFilter(labels),
        statusCodes: { 200: true },
      },
      'list volumes',
    );
    return (r.Volumes ?? []).filter((v) => hasLabels(v.Labels, labels)).map((v) => ({ name: v.Name, labels: v.Labels ?? {} }));
  }
}
