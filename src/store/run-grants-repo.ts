/** What a run was granted beyond its workspace (extra mounts, secret variables by name), as checked at spawn. */
import type { Db } from './db.ts';

export interface RunGrants {
  mounts: { host: string; container: string; readOnly: boolean }[];
  /** Variable → secret name (never a value). */
  secretsEnv: Record<string, string>;
}

export class RunGrantsRepo {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  /** Records a run's grants; a run granted nothing gets no row. */
  set(runId: string, g: RunGrants): void {
    if (g.mounts.length === 0 && Object.keys(g.secretsEnv).length === 0) return;
    this.db.prepare('INSERT OR REPLACE INTO run_grants (run_id, mounts, secrets_env) VALUES (?, ?, ?)').run(runId, JSON.stringify(g.mounts), JSON.stringify(g.secretsEnv));
  }

  get(runId: string): RunGrants {
    const row = this.db.prepare('SELECT mounts, secrets_env FROM run_grants WHERE run_id = ?').get(runId) as { mounts: string; secrets_env: string } | undefined;
    return row ? { mounts: JSON.parse(row.mounts) as RunGrants['mounts'], secretsEnv: JSON.parse(row.secrets_env) as Record<string, string> } : { mounts: [], secretsEnv: {} };
  }
}
