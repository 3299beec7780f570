import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { repoLockPath, withRepoLock } from '../../src/workspace/index.ts';
import { isRoot, makeRepo, sh, snapshot } from './helpers.ts';

const WORKER = fileURLToPath(new URL('./fixtures/parallel-worker.ts', import.meta.url));
const repo = makeRepo();
after(() => repo.cleanup());

function worker(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [WORKER, ...args], { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`worker ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

test('the lock is one file per repository under <home>/locks, the same for every path into the repo', async () => {
  const a = await repoLockPath(repo.home, repo.root);
  const b = await repoLockPath(repo.home, path.join(repo.root, 'src', 'lib'));
  assert.equal(a, b);
  assert.match(a, new RegExp(`^${repo.home}/locks/[0-9a-f]{64}\\.lock$`));
});

test('4 processes taking the lock never overlap', async () => {
  const log = path.join(repo.runs, 'lock.log');
  await Promise.all([1, 2, 3, 4].map(() => worker('lock', repo.home, repo.root, log, '5')));
  const lines = fs.readFileSync(log, 'utf8').trim().split('\n');
  assert.equal(lines.length, 40);
  for (let i = 0; i < lines.length; i += 2) {
    const [enter, pidIn] = (lines[i] as string).split(' ');
    const [exit, pidOut] = (lines[i + 1] as string).split(' ');
    assert.equal(enter, 'enter', `line ${i}: ${lines[i]}`);
    assert.equal(exit, 'exit');
    assert.equal(pidIn, pidOut, 'the holder leaves before anyone else enters');
  }
});

test("4 parallel runs in separate processes on one repo: 4 branches arrive, the user's checkout untouched", async () => {
  const before = snapshot(repo.root);
  const runs = [1, 2, 3, 4].map((i) => ({ runDir: path.join(repo.runs, `par-${i}`), branch: `paddock/par-${i}` }));
  const results = (await Promise.all(runs.map((r) => worker('run', repo.home, repo.root, r.runDir, r.branch, isRoot ? '1000' : '-')))).map(
    (out) => JSON.parse(out) as { branch: string; head: string; ahead: number },
  );
  for (const [i, r] of results.entries()) {
    assert.equal(r.ahead, 1);
    assert.equal(sh(repo.root, 'rev-parse', r.branch).trim(), r.head);
    assert.equal(sh(repo.root, 'show', `${r.head}:par-${i + 1}.txt`), `work of paddock/par-${i + 1}\n`);
  }
  const after = snapshot(repo.root);
  assert.equal(after.head, before.head);
  assert.equal(after.index, before.index);
  assert.deepEqual(after.worktree, before.worktree);
  assert.equal(after.config, before.config);
  assert.deepEqual(after.hooks, before.hooks);
  assert.equal(
    after.refs
      .split('\n')
      .filter((l) => !l.startsWith('refs/heads/paddock/par-'))
      .join('\n'),
    before.refs,
  );
});

test('re-entrant in one async context; serialised across concurrent callers in one process', async () => {
  const order: string[] = [];
  await Promise.all(
    [1, 2, 3].map((i) =>
      withRepoLock(repo.home, repo.root, async () => {
        order.push(`in${i}`);
        await withRepoLock(repo.home, repo.root, async () => order.push(`nested${i}`));
        await new Promise((r) => setTimeout(r, 5));
        order.push(`out${i}`);
      }),
    ),
  );
  assert.equal(order.length, 9);
  for (let k = 0; k < 9; k += 3) {
    const i = (order[k] as string).slice(2);
    assert.deepEqual(order.slice(k, k + 3), [`in${i}`, `nested${i}`, `out${i}`], order.join(' '));
  }
});

test('a lock left by a dead process is taken over once stale; a live one times out with CONFLICT', async () => {
  const lockPath = await repoLockPath(repo.home, repo.root);
  fs.mkdirSync(lockPath, { recursive: true });
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(lockPath, old, old);
  const t0 = Date.now();
  assert.equal(await withRepoLock(repo.home, repo.root, async () => 'got it', { staleMs: 5_000 }), 'got it');
  assert.ok(Date.now() - t0 < 2_000);
  assert.ok(!fs.existsSync(lockPath), 'released');
  fs.mkdirSync(lockPath);
  await assert.rejects(
    withRepoLock(repo.home, repo.root, async () => 'never', { waitMs: 300, staleMs: 60_000 }),
    { code: 'CONFLICT' },
  );
  fs.rmdirSync(lockPath);
});

test('the lock is released when the function throws', async () => {
  await assert.rejects(
    withRepoLock(repo.home, repo.root, async () => {
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.equal(await withRepoLock(repo.home, repo.root, async () => 1, { waitMs: 500 }), 1);
});
