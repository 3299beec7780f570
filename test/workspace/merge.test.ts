import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { createRunCheckout, deleteRunBranch, diffBranch as diff, finalizeRunCheckout, mergeBranch as merge, withRepoLock } from '../../src/workspace/index.ts';
import { agentSh, isRoot, makeRepo, sh, snapshot, write } from './helpers.ts';
import type { TestRepo } from './helpers.ts';

const owner = isRoot ? { uid: 1000, gid: 1000 } : {};
let repo: TestRepo;
let n = 0;

beforeEach(() => {
  repo = makeRepo({ 'README.md': '# demo\n', 'src/app.ts': 'line 1\nline 2\nline 3\n', 'src/other.ts': 'other\n' });
});
afterEach(() => repo.cleanup());

/** A finished run: the agent's edits are applied in its clone, finalized and brought back. */
async function runWith(branch: string, edit: (dir: string) => void, base = repo.base): Promise<string> {
  const runDir = path.join(repo.runs, `run-${++n}`);
  const co = await createRunCheckout({ paddockHome: repo.home, repo: repo.root, runDir, branch, baseSha: base, ...owner });
  edit(co.dir);
  const r = await finalizeRunCheckout({ paddockHome: repo.home, repo: repo.root, runDir, bringBack: true });
  return r.headSha;
}

/** Moves main forward with a commit changing `file`, via a temporary worktree (the main worktree is left alone). */
function advanceMain(file: string, content: string, checkedOut: boolean): string {
  if (checkedOut) {
    write(path.join(repo.root, file), content);
    sh(repo.root, 'commit', '-q', '-am', `user edits ${file}`);
    return sh(repo.root, 'rev-parse', 'HEAD').trim();
  }
  const wt = path.join(repo.runs, `wt-${++n}`);
  sh(repo.root, 'worktree', 'add', '-q', '--detach', wt, 'main');
  write(path.join(wt, file), content);
  sh(wt, 'commit', '-q', '-am', `user edits ${file}`);
  const c = sh(wt, 'rev-parse', 'HEAD').trim();
  sh(repo.root, 'worktree', 'remove', '--force', wt);
  sh(repo.root, 'update-ref', 'refs/heads/main', c);
  return c;
}

describe('diff', () => {
  test('unified diff and stats of the run against its base, merge-base semantics, nothing external run', async () => {
    const head = await runWith('paddock/diff', (d) => {
      write(path.join(d, 'src/app.ts'), 'line 1\nline two\nline 3\nline 4\n');
      write(path.join(d, 'new.bin'), Buffer.from([0, 1, 2, 3]).toString('latin1'));
      fs.renameSync(path.join(d, 'src/other.ts'), path.join(d, 'src/renamed.ts'));
    });
    // main moves on afterwards: that must not show up in the run's diff.
    advanceMain('README.md', '# changed on main\n', true);
    sh(repo.root, 'config', 'diff.external', '/bin/false');
    sh(repo.root, 'config', 'color.ui', 'always');
    sh(repo.root, 'config', 'diff.noprefix', 'true');
    const d = await diff({ repo: repo.root, base: repo.base, branch: 'paddock/diff' });
    assert.match(d.text, /^diff --git a\/new.bin b\/new.bin$/m);
    assert.match(d.text, /^-line 2\n\+line two$/m);
    assert.match(d.text, /^rename from src\/other.ts\nrename to src\/renamed.ts$/m);
    assert.doesNotMatch(d.text, /README/);
    assert.doesNotMatch(d.text, /\x1b\[/);
    assert.equal(d.summary.filesChanged, 3);
    assert.equal(d.summary.insertions, 2);
    assert.equal(d.summary.deletions, 1);
    assert.deepEqual(
      d.summary.files.find((f) => f.path === 'new.bin'),
      { path: 'new.bin', insertions: 0, deletions: 0, binary: true },
    );
    assert.deepEqual(
      d.summary.files.find((f) => f.path === 'src/renamed.ts'),
      { path: 'src/renamed.ts', oldPath: 'src/other.ts', insertions: 0, deletions: 0, binary: false },
    );
    assert.match(d.stat, /3 files changed, 2 insertions\(\+\), 1 deletion\(-\)/);
    // Diff by sha too.
    assert.equal((await diff({ repo: repo.root, base: repo.base, branch: head })).text, d.text);
  });

  test('no changes: empty text and zero stats; unknown revisions are INVALID_INPUT', async () => {
    await runWith('paddock/empty', () => {});
    const d = await diff({ repo: repo.root, base: repo.base, branch: 'paddock/empty' });
    assert.equal(d.text, '');
    assert.equal(d.stat, '');
    assert.deepEqual(d.summary, { filesChanged: 0, insertions: 0, deletions: 0, files: [] });
    await assert.rejects(diff({ repo: repo.root, base: repo.base, branch: 'nope' }), { code: 'INVALID_INPUT' });
    await assert.rejects(diff({ repo: repo.root, base: '--output=/tmp/x', branch: 'main' }), { code: 'INVALID_INPUT' });
  });
});

describe('merge', () => {
  test('clean merge into a branch that is not checked out: two parents, compare-and-swap, worktree untouched', async () => {
    sh(repo.root, 'switch', '-q', 'feature');
    const before = snapshot(repo.root);
    const head = await runWith('paddock/m1', (d) => write(path.join(d, 'src/other.ts'), 'other, by agent\n'));
    const mainBefore = advanceMain('src/app.ts', 'line 1\nline 2 (user)\nline 3\n', false);
    const r = await merge({ paddockHome: repo.home, repo: repo.root, branch: 'paddock/m1', into: 'main' });
    assert.equal(r.status, 'merged');
    assert.equal(r.previous, mainBefore);
    assert.equal(r.updatedWorktree, null);
    assert.equal(sh(repo.root, 'rev-parse', 'main').trim(), r.commit);
    assert.equal(sh(repo.root, 'rev-parse', `${r.commit}^1`).trim(), mainBefore);
    assert.equal(sh(repo.root, 'rev-parse', `${r.commit}^2`).trim(), head);
    assert.equal(sh(repo.root, 'show', `${r.commit}:src/other.ts`), 'other, by agent\n');
    assert.equal(sh(repo.root, 'show', `${r.commit}:src/app.ts`), 'line 1\nline 2 (user)\nline 3\n');
    assert.equal(sh(repo.root, 'log', '-1', '--format=%s', r.commit).trim(), "Merge branch 'paddock/m1' into main");
    const after = snapshot(repo.root, 'paddock/m1');
    assert.equal(after.head, before.head);
    assert.equal(after.index, before.index);
    assert.deepEqual(after.worktree, before.worktree);
    // Merging again is a clear no-op.
    const again = await merge({ paddockHome: repo.home, repo: repo.root, branch: 'paddock/m1', into: 'main' });
    assert.equal(again.status, 'already-merged');
    assert.equal(again.commit, r.commit);
    assert.match(again.message, /already merged/);
  });

  test("squash: one parent, the run's changes, a message listing its commits", async () => {
    await runWith('paddock/sq', (d) => {
      write(path.join(d, 'a.txt'), 'a\n');
      agentSh(d, 'add', '-A');
      agentSh(d, 'commit', '-q', '-m', 'agent adds a');
      write(path.join(d, 'b.txt'), 'b\n');
    });
    sh(repo.root, 'switch', '-q', 'feature');
    const r = await merge({ paddockHome: repo.home, repo: repo.root, branch: 'paddock/sq', into: 'main', squash: true });
    assert.equal(r.status, 'merged');
    assert.equal(sh(repo.root, 'rev-list', '--parents', '-1', r.commit).trim().split(' ').length, 2, 'one parent');
    assert.equal(sh(repo.root, 'rev-parse', `${r.commit}^`).trim(), repo.base);
    assert.match(sh(repo.root, 'log', '-1', '--format=%B', r.commit), /agent adds a/);
    assert.equal(sh(repo.root, 'show', `${r.commit}:b.txt`), 'b\n');
    // A second squash of the same branch changes nothing.
    const again = await merge({ paddockHome: repo.home, repo: repo.root, branch: 'paddock/sq', into: 'main', squash: true });
    assert.equal(again.status, 'already-merged');
  });

  test('conflict: MERGE_CONFLICT naming the paths, and nothing changes (refs, index, files)', async () => {
    await runWith('paddock/conflict', (d) => write(path.join(d, 'src/app.ts'), 'line 1\nline 2 (agent)\nline 3\n'));
    advanceMain('src/app.ts', 'line 1\nline 2 (user)\nline 3\n', true);
    write(path.join(repo.root, 'untracked.txt'), 'mine\n');
    const before = snapshot(repo.root);
    const packed = fs.existsSync(path.join(repo.root, '.git/packed-refs'));
    await assert.rejects(merge({ paddockHome: repo.home, repo: repo.root, branch: 'paddock/conflict', into: 'main' }), (e: { code?: string; details?: { paths?: string[] }; message?: string }) => {
      assert.equal(e.code, 'MERGE_CONFLICT');
      assert.deepEqual(e.details?.paths, ['src/app.ts']);
      assert.match(e.message ?? '', /src\/app.ts/);
      return true;
    });
    assert.deepEqual(snapshot(repo.root), before);
    assert.equal(fs.existsSync(path.join(repo.root, '.git/packed-refs')), packed);
    assert.ok(!fs.existsSync(path.join(repo.root, '.git/MERGE_HEAD')));
  });

  test("into the checked-out branch: the user's files are updated (fast-forward to the merge commit)", async () => {
    await runWith('paddock/co', (d) => write(path.join(d, 'src/other.ts'), 'from agent\n'));
    advanceMain('README.md', '# user moved on\n', true);
    write(path.join(repo.root, 'untracked.txt'), 'mine\n');
    const r = await merge({ paddockHome: repo.home, repo: repo.root, branch: 'paddock/co', into: 'main' });
    assert.equal(r.updatedWorktree, repo.root);
    assert.equal(sh(repo.root, 'rev-parse', 'HEAD').trim(), r.commit);
    assert.equal(fs.readFileSync(path.join(repo.root, 'src/other.ts'), 'utf8'), 'from agent\n');
    assert.equal(fs.readFileSync(path.join(repo.root, 'untracked.txt'), 'utf8'), 'mine\n');
    assert.equal(sh(repo.root, 'status', '--porcelain', '--untracked-files=no'), '');
  });

  test('into the checked-out branch with uncommitted changes: CONFLICT, nothing changed', async () => {
    await runWith('paddock/dirty', (d) => write(path.join(d, 'src/other.ts'), 'from agent\n'));
    write(path.join(repo.root, 'README.md'), '# my unsaved work\n');
    const before = snapshot(repo.root);
    await assert.rejects(merge({ paddockHome: repo.home, repo: repo.root, branch: 'paddock/dirty', into: 'main' }), (e: { code?: string; hint?: string }) => {
      assert.equal(e.code, 'CONFLICT');
      assert.match(e.hint ?? '', /stash/);
      return true;
    });
    assert.deepEqual(snapshot(repo.root), before);
  });

  test('into a branch checked out in a linked worktree: that worktree is updated', async () => {
    await runWith('paddock/linked', (d) => write(path.join(d, 'x.txt'), 'x\n'));
    const wt = path.join(repo.runs, 'linked-wt');
    sh(repo.root, 'worktree', 'add', '-q', wt, 'feature');
    const r = await merge({ paddockHome: repo.home, repo: repo.root, branch: 'paddock/linked', into: 'feature' });
    assert.equal(r.updatedWorktree, wt);
    assert.equal(fs.readFileSync(path.join(wt, 'x.txt'), 'utf8'), 'x\n');
    assert.ok(!fs.existsSync(path.join(repo.root, 'x.txt')));
  });

  test('bad input: unknown branches are NOT_FOUND, merging into itself is INVALID_INPUT; works under a caller-held lock', async () => {
    await assert.rejects(merge({ paddockHome: repo.home, repo: repo.root, branch: 'nope', into: 'main' }), { code: 'NOT_FOUND' });
    await assert.rejects(merge({ paddockHome: repo.home, repo: repo.root, branch: 'main', into: 'nope' }), { code: 'NOT_FOUND' });
    await assert.rejects(merge({ paddockHome: repo.home, repo: repo.root, branch: 'main', into: 'main' }), { code: 'INVALID_INPUT' });
    await runWith('paddock/locked', (d) => write(path.join(d, 'y.txt'), 'y\n'));
    sh(repo.root, 'switch', '-q', 'feature');
    // The caller holds the lock and the function takes it again: re-entrant, no deadlock.
    const r = await withRepoLock(repo.home, repo.root, () => merge({ paddockHome: repo.home, repo: repo.root, branch: 'paddock/locked', into: 'main' }));
    assert.equal(r.status, 'merged');
  });
});

describe('deleteRunBranch', () => {
  test('deletes only the branch in the state Paddock left it', async () => {
    const head = await runWith('paddock/gc', (d) => write(path.join(d, 'g.txt'), 'g\n'));
    const before = snapshot(repo.root, 'paddock/gc');
    await assert.rejects(deleteRunBranch({ paddockHome: repo.home, repo: repo.root, branch: 'paddock/gc', expectedHead: repo.base }), { code: 'CONFLICT' });
    assert.deepEqual(await deleteRunBranch({ paddockHome: repo.home, repo: repo.root, branch: 'paddock/gc', expectedHead: head }), { deleted: true });
    assert.equal(sh(repo.root, 'branch', '--list', 'paddock/gc'), '');
    assert.deepEqual(snapshot(repo.root), before);
    assert.deepEqual(await deleteRunBranch({ paddockHome: repo.home, repo: repo.root, branch: 'paddock/gc', expectedHead: head }), { deleted: false, reason: 'absent' });
    await assert.rejects(deleteRunBranch({ paddockHome: repo.home, repo: repo.root, branch: 'main', expectedHead: 'abc' }), { code: 'INVALID_INPUT' });
    await assert.rejects(deleteRunBranch({ paddockHome: repo.home, repo: repo.root, branch: 'main', expectedHead: repo.base }), { code: 'CONFLICT' }, 'checked out');
  });
});
