/**
 * Named spawn defaults stored as a validated JSON spec (projects here, personas in personas-repo.ts), and the
 * project and persona each run was spawned with (run_profiles).
 */
import type { Db } from './db.ts';

export interface NamedSpec<S> {
  name: string;
  spec: S;
  createdAt: number;
  updatedAt: number;
}

interface SpecRow {
  name: string;
  spec: string;
  created_at: number;
  updated_at: number;
}

/** One table of (name, spec JSON, dates). The spec is validated by app/ before it is stored. */
export class NamedSpecRepo<S> {
  private readonly db: Db;
  private readonly table: 'projects' | 'personas';
  constructor(db: Db, table: 'projects' | 'personas') {
    this.db = db;
    this.table = table;
  }

  get(name: string): NamedSpec<S> | undefined {
    const row = this.db.prepare(`SELECT * FROM ${this.table} WHERE name = ?`).get(name) as SpecRow | undefined;
    return row ? fromSpecRow<S>(row) : undefined;
  }

  list(): NamedSpec<S>[] {
    return (this.db.prepare(`SELECT * FROM ${this.table} ORDER BY name`).all() as unknown as SpecRow[]).map((r) => fromSpecRow<S>(r));
  }

  /** Inserts; false when the name is taken. */
  insert(name: string, spec: S, now: number): boolean {
    const r = this.db.prepare(`INSERT INTO ${this.table} (name, spec, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO NOTHING`).run(name, JSON.stringify(spec), now, now);
    return Number(r.changes) === 1;
  }

  /** Inserts or replaces the spec (created_at kept). */
  put(name: string, spec: S, now: number): void {
    this.db
      .prepare(`INSERT INTO ${this.table} (name, spec, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(name) DO UPDATE SET spec = excluded.spec, updated_at = excluded.updated_at`)
      .run(name, JSON.stringify(spec), now, now);
  }

  delete(name: string): boolean {
    return Number(this.db.prepare(`DELETE FROM ${this.table} WHERE name = ?`).run(name).changes) === 1;
  }
}

function fromSpecRow<S>(r: SpecRow): NamedSpec<S> {
  return { name: r.name, spec: JSON.parse(r.spec) as S, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at) };
}

export interface RunProfile {
  project: string | null;
  persona: string | null;
}

/** Which project and persona a run was spawned with (a run spawned with neither has no row). */
export class RunProfilesRepo {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  set(runId: string, p: RunProfile): void {
    if (p.project === null && p.persona === null) return;
    this.db.prepare('INSERT OR REPLACE INTO run_profiles (run_id, project, persona) VALUES (?, ?, ?)').run(runId, p.project, p.persona);
  }

  get(runId: string): RunProfile {
    const row = this.db.prepare('SELECT project, persona FROM run_profiles WHERE run_id = ?').get(runId) as { project: string | null; persona: string | null } | undefined;
    return row ? { project: row.project, persona: row.persona } : { project: null, persona: null };
  }

  /** How many runs name this project (shown before a project is removed). */
  runsOfProject(project: string): number {
    return Number((this.db.prepare('SELECT count(*) AS n FROM run_profiles WHERE project = ?').get(project) as { n: number }).n);
  }
}
