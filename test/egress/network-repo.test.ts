/** The network log in a real store (migration 7): counters over every attempt, rows up to the cap, gone with the run. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { openDb } from '../../src/store/db.ts';
import { NetworkRepo } from '../../src/store/network-repo.ts';

it('keeps attempts up to the cap, counts every one, and goes with its run', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'paddock-netrepo-'));
  const db = openDb(join(dir, 'paddock.db'));
  t.after(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const insertRun = (id: string) =>
    db
      .prepare(
        `INSERT INTO runs (id, created_at, updated_at, agent, type, task, prompt, repo, base_ref, base_sha, branch, bring_back, image, options, memory_bytes, cpus, pids, timeout_ms, session_id, resume, state, phase, run_dir, model_token, reuse_branch, new_session, stdout_lines, stderr_lines)
         VALUES (?, 0, 0, 'claude', 'feature', 't', 'p', '/r', 'main', 'x', ?, 1, 'img', '{}', 1, 1, 1, 1, ?, 0, 'running', 'agent-running', '/d', 'tok', 0, 1, 0, 0)`,
      )
      .run(id, `b-${id}`, `s-${id}`);
  insertRun('aaa');
  insertRun('bbb');
  const repo = new NetworkRepo(db);
  assert.equal(repo.policy('aaa'), undefined, 'a run from before egress has no policy (treated as none)');
  repo.setPolicy({ runId: 'aaa', mode: 'proxy', allow: ['example.org:443'] });
  repo.setPolicy({ runId: 'bbb', mode: 'proxy', allow: [] });
  const attempt = (i: number) => ({
    ts: i,
    host: `h${i}.example.org`,
    port: 443,
    method: 'CONNECT',
    address: null,
    allowed: i % 2 === 0,
    rule: null,
    reason: i % 2 ? 'not on the allow list' : null,
    bytesUp: 10,
    bytesDown: 100,
    durationMs: 1,
  });
  for (let i = 0; i < 7; i++) repo.record('aaa', attempt(i), 5);
  repo.record('bbb', attempt(0), 5);
  assert.deepEqual(repo.policy('aaa'), { runId: 'aaa', mode: 'proxy', allow: ['example.org:443'] });
  assert.deepEqual(repo.counters('aaa'), { attempts: 7, allowed: 4, denied: 3, bytesUp: 70, bytesDown: 700, dropped: 2 });
  const rows = repo.attempts('aaa');
  assert.deepEqual(
    rows.map((r) => r.seq),
    [1, 2, 3, 4, 5],
  );
  assert.equal(rows[1]?.allowed, false);
  assert.deepEqual(
    repo.attempts('aaa', { after: 3 }).map((r) => r.host),
    ['h3.example.org', 'h4.example.org'],
  );
  assert.equal(repo.attempts('bbb').length, 1, 'each run its own log');
  db.prepare("DELETE FROM runs WHERE id = 'aaa'").run();
  assert.equal(repo.counters('aaa'), undefined);
  assert.equal(repo.attempts('aaa').length, 0);
  repo.record('aaa', attempt(9), 5); // a proxy closing after its run was removed: nothing, no error
  assert.equal(repo.attempts('aaa').length, 0);
});
