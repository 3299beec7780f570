/** Networks: agents run with none, so Paddock only lists and removes the labelled ones it finds (gc). */
import type { NetworkSummary } from '../port.ts';
import type { EngineClient } from './client.ts';
import { hasLabels, labelFilter } from './label-filter.ts';

export class EngineNetworks {
  private readonly client: EngineClient;

  constructor(client: EngineClient) {
    this.client = client;
  }

  async list(labels: Record<string, string>): Promise<NetworkSummary[]> {
    const list = await this.client.request<{ Id: string; Name: string; Labels?: Record<string, string> | null }[]>(
      {
        path: '/networks?',
        method: 'GET',
        options: labelFilter(labels),
        statusCodes: { 200: true },
      },
      'list networks',
    );
    return list.filter((n) => hasLabels(n.Labels, labels)).map((n) => ({ id: n.Id, name: n.Name, labels: n.Labels ?? {} }));
  }

  async remove(id: string): Promise<void> {
    await this.client.requestOrAbsent({ path: `/networks/${id}`, method: 'DELETE', statusCodes: { 200: true, 204: true } }, `remove network ${id}`);
  }
}
