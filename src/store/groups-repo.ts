/** Run groups: one task raced across several agent CLIs (or one CLI several times), and each member's check result. */
import type { Db } from './db.ts';

export interface RunGroup {
  id: string;
  createdAt: number;
  task: string;
  /** A shell command run over each finished member's work (`--check "npm test"`); null: none. */
  checkCommand: string | null;
  checkTimeoutMs: number;
}

export interface GroupMember {
  runId: string;
  /** What this member is called in the group: its CLI, with a number when the same CLI runs several times. */
  label: string;
  position: number;
}

export interface GroupCheck {
  runId: string;
  /** The commit the check ran on (the run's head when it was checked). */
  headSha: string;
  exitCode: number | null;
  passed: boolean;
  /** Why it could not run or did not finish (timed out, image missing), when it did not pass or fail by itself. */
  error: string | null;
  /** The last lines it printed, bounded, as stored (hostile text: escape before showing it on a terminal). */
  outputTail: string;
  durationMs: number;
  checkedAt: number;
}

export class GroupsRepo {
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  insert(g: RunGroup): void {
    this.db.prepare('INSERT INTO run_groups (id, created_at, task, check_command, check_timeout_ms) VALUES (?, ?, ?, ?, ?)').run(g.id, g.createdAt, g.task, g.checkCommand, g.checkTimeoutMs);
  }

  delete(id: string): void {
    this.db.prepare('DELETE FROM run_groups WHERE id = ?').run(id);
  }

  get(id: string): RunGroup | undefined {
    const r = this.db.prepare('SELECT id, created_at, task, check_command, check_timeout_ms FROM run_groups WHERE id = ?').get(id) as
      | { id: string; created_at: number; task: string; check_command: string | null; check_timeout_ms: number }
      | undefined;
    return r ? { id: r.id, createdAt: r.created_at, task: r.task, checkCommand: r.check_command, checkTimeoutMs: r.check_timeout_ms } : undefined;
  }

  /** Groups whose id starts with this prefix (ids are hex), newest first. */
  byPrefix(prefix: string): RunGroup[] {
    const rows = this.db.prepare("SELECT id FROM run_groups WHERE id LIKE ? || '%' ORDER BY created_at DESC LIMIT 10").all(prefix) as { id: string }[];
    return rows.map((r) => this.get(r.id)!);
  }

  list(limit = 50): RunGroup[] {
    const rows = this.db.prepare('SELECT id FROM run_groups ORDER BY created_at DESC LIMIT ?').all(limit) as { id: string }[];
    return rows.map((r) => this.get(r.id)!);
  }

  addMember(groupId: string, m: GroupMember): void {
    this.db.prepare('INSERT INTO run_group_members (group_id, run_id, label, position) VALUES (?, ?, ?, ?)').run(groupId, m.runId, m.label, m.position);
  }

  members(groupId: string): GroupMember[] {
    const rows = this.db.prepare('SELECT run_id, label, position FROM run_group_members WHERE group_id = ? ORDER BY position').all(groupId) as {
      run_id: string;
      label: string;
      position: number;
    }[];
    return rows.map((r) => ({ runId: r.run_id, label: r.label, position: r.position }));
  }

  /** The group a run belongs to, if any. */
  groupOf(runId: string): string | undefined {
    return (this.db.prepare('SELECT group_id FROM run_group_members WHERE run_id = ?').get(runId) as { group_id: string } | undefined)?.group_id;
  }

  setCheck(c: GroupCheck): void {
    this.db
      .prepare('INSERT OR REPLACE INTO group_checks (run_id, head_sha, exit_code, passed, error, output_tail, duration_ms, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(c.runId, c.headSha, c.exitCode, c.passed ? 1 : 0, c.error, c.outputTail, c.durationMs, c.checkedAt);
  }

  check(runId: string): GroupCheck | undefined {
    const r = this.db.prepare('SELECT * FROM group_checks WHERE run_id = ?').get(runId) as
      | { run_id: string; head_sha: string; exit_code: number | null; passed: number; error: string | null; output_tail: string; duration_ms: number; checked_at: number }
      | undefined;
    return r
      ? {
          runId: r.run_id,
          headSha: r.head_sha,
          exitCode: r.exit_code,
          passed: r.passed === 1,
          error: r.error,
          outputTail: r.output_tail,
          durationMs: r.duration_ms,
          checkedAt: r.checked_at,
        }
      : undefined;
  }
}
