import type { Run } from '../jobs/run.ts';
import { LIVE_STATES, type RunState } from '../jobs/states.ts';
import { type Db, transaction } from './db.ts';
import { type Columns, fromRow, toRow } from './rows.ts';

export interface SessionUsage {
  sessionId: string;
  runs: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
  costUsd: number | null;
}

const COLS: Columns = { json: ['options', 'allowedModels'], bool: ['bringBack', 'resume', 'reuseBranch', 'newSession', 'keepAlive', 'coordinator'] };

export class RunsRepo {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  insert(run: Run): void {
    const row = toRow(run as unknown as Record<string, unknown>, COLS);
    const keys = Object.keys(row);
    this.db.prepare(`INSERT INTO runs (${keys.join(', ')}) VALUES (${keys.map((k) => `:${k}`).join(', ')})`).run(row as never);
  }

  get(id: string): Run | undefined {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id);
    return row ? fromRow<Run>(row, COLS) : undefined;
  }

  /** Runs whose id starts with prefix (so users can type the first few characters, as with git and docker). */
  findByPrefix(prefix: string): Run[] {
    return this.db
      .prepare("SELECT * FROM runs WHERE id LIKE ? ESCAPE '\\' ORDER BY created_at DESC LIMIT 10")
      .all(`${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
      .map((r) => fromRow<Run>(r, COLS));
  }

  list(opts: { states?: readonly RunState[]; limit?: number } = {}): Run[] {
    const where = opts.states?.length ? `WHERE state IN (${opts.states.map(() => '?').join(', ')})` : '';
    return this.db
      .prepare(`SELECT * FROM runs ${where} ORDER BY created_at DESC LIMIT ${opts.limit ?? 1000}`)
      .all(...(opts.states ?? []))
      .map((r) => fromRow<Run>(r, COLS));
  }

  /** Active runs (or reserved ones) on the same repo and branch: a branch belongs to one live run at a time. */
  branchTaken(repo: string, branch: string, exceptId?: string): Run | undefined {
    const row = this.db
      .prepare(`SELECT * FROM runs WHERE repo = ? AND branch = ? AND state IN (${LIVE_STATES.map(() => '?').join(', ')}) AND id != ? LIMIT 1`)
      .get(repo, branch, ...LIVE_STATES, exceptId ?? '');
    return row ? fromRow<Run>(row, COLS) : undefined;
  }

  /** Queued runs, oldest first: the order they leave the queue in. */
  queued(limit = 1000): Run[] {
    return this.db
      .prepare("SELECT * FROM runs WHERE state = 'queued' ORDER BY created_at, id LIMIT ?")
      .all(limit)
      .map((r) => fromRow<Run>(r, COLS));
  }

  /** How many runs are in these states. */
  countIn(states: readonly RunState[]): number {
    const r = this.db.prepare(`SELECT COUNT(*) AS n FROM runs WHERE state IN (${states.map(() => '?').join(', ')})`).get(...states) as { n: number };
    return Number(r.n);
  }

  /** 1-based place of a queued run in the queue (undefined when it is not queued). */
  queuePosition(run: Pick<Run, 'id' | 'state' | 'createdAt'>): number | undefined {
    if (run.state !== 'queued') return undefined;
    const r = this.db.prepare("SELECT COUNT(*) AS n FROM runs WHERE state = 'queued' AND (created_at < ? OR (created_at = ? AND id < ?))").get(run.createdAt, run.createdAt, run.id) as { n: number };
    return Number(r.n) + 1;
  }

  /** The live run of an agent session, if any: a conversation belongs to one live run at a time. */
  liveRunOfSession(sessionId: string): Run | undefined {
    const row = this.db.prepare(`SELECT * FROM runs WHERE session_id = ? AND state IN (${LIVE_STATES.map(() => '?').join(', ')}) LIMIT 1`).get(sessionId, ...LIVE_STATES);
    return row ? fromRow<Run>(row, COLS) : undefined;
  }

  update(id: string, patch: Partial<Run>): void {
    const row = toRow({ ...patch, updatedAt: Date.now() } as Record<string, unknown>, COLS);
    const keys = Object.keys(row);
    this.db.prepare(`UPDATE runs SET ${keys.map((k) => `${k} = :${k}`).join(', ')} WHERE id = :__id`).run({ ...row, __id: id } as never);
  }

  /** Read-modify-write under the database write lock: fn sees the current row and returns the patch (or undefined for none). */
  mutate<T>(id: string, fn: (run: Run) => { patch?: Partial<Run>; value: T }): T {
    return transaction(this.db, () => {
      const run = this.get(id);
      if (!run) throw new Error(`run ${id} vanished from the database`);
      const { patch, value } = fn(run);
      if (patch && Object.keys(patch).length) this.update(id, patch);
      return value;
    });
  }

  /** Adds tokens (and their cost, when known) to a run's usage, as the relay counts them. */
  addUsage(id: string, u: { inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheCreationTokens: number }, costUsd: number | undefined): void {
    this.db
      .prepare(
        `UPDATE runs SET input_tokens = COALESCE(input_tokens, 0) + ?, output_tokens = COALESCE(output_tokens, 0) + ?,
       cache_read_tokens = COALESCE(cache_read_tokens, 0) + ?, cache_creation_tokens = COALESCE(cache_creation_tokens, 0) + ?,
       cost_usd = CASE WHEN ? IS NULL THEN cost_usd ELSE COALESCE(cost_usd, 0) + ? END, updated_at = ? WHERE id = ?`,
      )
      .run(u.inputTokens, u.outputTokens, u.cacheReadTokens, u.cacheCreationTokens, costUsd ?? null, costUsd ?? null, Date.now(), id);
  }

  /** What a tree of runs (the root and every run spawned on its behalf) has spent, as the gateway counted it. */
  treeSpend(rootRunId: string): number {
    const r = this.db.prepare('SELECT SUM(cost_usd) AS cost FROM runs WHERE id = ? OR root_run_id = ?').get(rootRunId, rootRunId) as { cost: number | null };
    return Number(r.cost ?? 0);
  }

  /** What the live runs have spent so far (the gateway's count, as it streams): cost and tokens, for /metrics. */
  liveUsage(): { costUsd: number; inputTokens: number; outputTokens: number; cacheReadTokens: number; cacheCreationTokens: number } {
    const r = this.db
      .prepare(
        `SELECT SUM(cost_usd) AS cost, SUM(input_tokens) AS i, SUM(output_tokens) AS o, SUM(cache_read_tokens) AS cr, SUM(cache_creation_tokens) AS cc
         FROM runs WHERE state IN (${LIVE_STATES.map(() => '?').join(', ')})`,
      )
      .get(...LIVE_STATES) as Record<string, number | null>;
    return { costUsd: Number(r.cost ?? 0), inputTokens: Number(r.i ?? 0), outputTokens: Number(r.o ?? 0), cacheReadTokens: Number(r.cr ?? 0), cacheCreationTokens: Number(r.cc ?? 0) };
  }

  /** The live runs of a tree (the root included), e.g. to stop them all when the tree's budget is spent. */
  liveRunsOfTree(rootRunId: string): Run[] {
    return this.db
      .prepare(`SELECT * FROM runs WHERE (id = ? OR root_run_id = ?) AND state IN (${LIVE_STATES.map(() => '?').join(', ')})`)
      .all(rootRunId, rootRunId, ...LIVE_STATES)
      .map((r) => fromRow<Run>(r, COLS));
  }

  /** What all runs of one agent session used together (each run stores only its own share). */
  sessionUsage(sessionId: string): SessionUsage {
    const r = this.db
      .prepare(
        `SELECT COUNT(*) AS runs, SUM(input_tokens) AS i, SUM(output_tokens) AS o, SUM(cache_read_tokens) AS cr,
       SUM(cache_creation_tokens) AS cc, SUM(cost_usd) AS cost FROM runs WHERE session_id = ?`,
      )
      .get(sessionId) as Record<string, number | null>;
    return {
      sessionId,
      runs: Number(r.runs ?? 0),
      inputTokens: Number(r.i ?? 0),
      outputTokens: Number(r.o ?? 0),
      cacheReadTokens: Number(r.cr ?? 0),
      cacheCreationTokens: Number(r.cc ?? 0),
      costUsd: r.cost === null ? null : Number(r.cost),
    };
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM runs WHERE id = ?').run(id);
  }
}
