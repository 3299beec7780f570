/** A run's services as normalised at spawn (docs/services.md), and whether they outlive the run (--keep-services). */
import type { ServiceSpec } from '../services/schema.ts';
import type { Db } from './db.ts';

export interface RunServices {
  services: ServiceSpec[];
  keep: boolean;
  /** A Compose run: the service the agent runs in. */
  composeService: string | null;
}

export class RunServicesRepo {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  /** A run with no services gets no row. */
  set(runId: string, r: RunServices): void {
    if (r.services.length === 0 && r.composeService === null) return;
    this.db.prepare('INSERT OR REPLACE INTO run_services (run_id, services, keep, compose_service) VALUES (?, ?, ?, ?)').run(runId, JSON.stringify(r.services), r.keep ? 1 : 0, r.composeService);
  }

  get(runId: string): RunServices | undefined {
    const row = this.db.prepare('SELECT services, keep, compose_service FROM run_services WHERE run_id = ?').get(runId) as
      | { services: string; keep: number; compose_service: string | null }
      | undefined;
    return row ? { services: JSON.parse(row.services) as ServiceSpec[], keep: row.keep === 1, composeService: row.compose_service } : undefined;
  }
}
