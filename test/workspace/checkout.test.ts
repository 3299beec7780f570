import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { createRunCheckout, finalizeRunCheckout, removeCheckout } from '../../src/workspace/index.ts';
import { agentSh, isRoot, makeRepo, sh, snapshot, tempDir, write } from './helpers.ts';

const repo = makeRepo();
after(() => repo.cleanup());
let n = 0;
const nextRun = (): string => path.join(repo.runs, `run-${++n}`);
const owner = isRoot ? { uid: 1000, gid: 1000 } : {};

describe('createRunCheckout', () => {
  test('clones with --shared, checks out the run branch at the base, known-good config, no hooks, owned by the container user', async () => {
    const before = snapshot(repo.root);
    const runDir = nextRun();
    const co = await createRunCheckout({ paddockHome: repo.home, repo: repo.root, runDir, branch: 'paddock/create-1', baseSha: repo.base, ...owner });
    assert.equal(co.dir, path.join(runDir, 'src'));
    assert.equal(co.objectsDir, path.join(repo.root, '.git', 'objects'));
    assert.deepEqual(co.alternateObjectDirs, []);
    assert.equal(fs.readFileSync(path.join(co.dir, '.git/objects/info/alternates'), 'utf8').trim(), co.objectsDir);
    assert.equal(fs.readFileSync(path.join(co.dir, 'src/app.ts'), 'utf8'), 'export const x = 1;\n');
    assert.equal(fs.readFileSync(path.join(co.dir, '.git/HEAD'), 'utf8'), 'ref: refs/heads/paddock/create-1\n');
    assert.equal(agentSh(co.dir, 'rev-parse', 'HEAD').trim(), repo.base);
    const config = fs.readFileSync(path.join(co.dir, '.git/config'), 'utf8');
    assert.doesNotMatch(config, /remote|url/);
    assert.match(config, /name = Paddock agent/);
    assert.match(config, /email = agent@paddock.invalid/);
    assert.ok(!fs.existsSync(path.join(co.dir, '.git/hooks')));
    // Nothing copied: only the clone's few own files, the objects come from the user's repo.
    assert.equal(fs.readdirSync(path.join(co.dir, '.git/objects')).filter((d) => /^[0-9a-f]{2}$/.test(d)).length, 0);
    if (isRoot) {
      assert.equal(fs.statSync(co.dir).uid, 1000);
      assert.equal(fs.statSync(path.join(co.dir, '.git/config')).uid, 1000);
      assert.equal(fs.statSync(path.join(co.dir, 'src/lib/util.ts')).gid, 1000);
    }
    // The user's repo did not get the branch yet, and nothing else changed either.
    assert.deepEqual(snapshot(repo.root), before);
  });

  test('accepts a revision as base and records the sha', async () => {
    const co = await createRunCheckout({ paddockHome: repo.home, repo: path.join(repo.root, 'src'), runDir: nextRun(), branch: 'paddock/create-2', baseSha: 'v1' });
    assert.equal(co.baseSha, repo.base);
  });

  test('refuses an existing run dir checkout', async () => {
    const runDir = nextRun();
    await createRunCheckout({ paddockHome: repo.home, repo: repo.root, runDir, branch: 'paddock/create-3', baseSha: repo.base, ...owner });
    await assert.rejects(createRunCheckout({ paddockHome: repo.home, repo: repo.root, runDir, branch: 'paddock/create-3b', baseSha: repo.base }), { code: 'CONFLICT' });
  });

  test('removeCheckout deletes the clone and its record, not what symlinks point to', async () => {
    const runDir = nextRun();
    const co = await createRunCheckout({ paddockHome: repo.home, repo: repo.root, runDir, branch: 'paddock/create-4', baseSha: repo.base, ...owner });
    fs.symlinkSync(repo.root, path.join(co.dir, 'link-to-user-repo'));
    fs.symlinkSync(path.join(repo.root, 'README.md'), path.join(co.dir, 'link-to-file'));
    fs.mkdirSync(path.join(co.dir, 'locked'));
    write(path.join(co.dir, 'locked/f'), 'x');
    fs.chmodSync(path.join(co.dir, 'locked'), 0o000);
    await removeCheckout(runDir);
    assert.ok(!fs.existsSync(co.dir));
    assert.ok(!fs.existsSync(path.join(runDir, 'workspace.json')));
    assert.ok(fs.existsSync(path.join(repo.root, 'README.md')));
  });
});

describe('finalizeRunCheckout', () => {
  test('round trip: agent commits and leaves changes; the branch arrives with both, the user checkout untouched', async () => {
    const branch = 'paddock/round-trip';
    const runDir = nextRun();
    const before = snapshot(repo.root);
    const co = await createRunCheckout({ paddockHome: repo.home, repo: repo.root, runDir, branch, baseSha: repo.base, ...owner });
    // The agent: one commit of its own, then uncommitted edits, a new file and a deletion.
    write(path.join(co.dir, 'src/app.ts'), 'export const x = 42;\n');
    agentSh(co.dir, 'commit', '-q', '-am', 'agent: change x');
    const agentCommit = agentSh(co.dir, 'rev-parse', 'HEAD').trim();
    const agentTree = agentSh(co.dir, 'rev-parse', 'HEAD^{tree}').trim();
    write(path.join(co.dir, 'src/new.ts'), 'export const z = 3;\n');
    write(path.join(co.dir, 'README.md'), '# demo, edited\n');
    fs.rmSync(path.join(co.dir, 'src/lib/util.ts'));
    if (isRoot) fs.chownSync(path.join(co.dir, 'src/new.ts'), 1000, 1000);

    const r = await finalizeRunCheckout({ paddockHome: repo.home, repo: repo.root, runDir, branch, bringBack: true, commitMessage: 'leftovers' });
    assert.equal(r.branch, branch);
    assert.equal(r.baseSha, repo.base);
    assert.equal(r.commitsAhead, 2);
    assert.ok(r.changed);
    assert.ok(r.committedLeftovers);
    assert.ok(r.broughtBack);
    assert.equal(sh(repo.root, 'rev-parse', `refs/heads/${branch}`).trim(), r.headSha);
    // The agent's commit arrives restamped: same tree, author and message, Paddock as committer.
    const arrived = sh(repo.root, 'rev-parse', `${r.headSha}^`).trim();
    assert.notEqual(arrived, agentCommit);
    assert.equal(sh(repo.root, 'rev-parse', `${arrived}^{tree}`).trim(), agentTree);
    assert.equal(sh(repo.root, 'log', '-1', '--format=%an <%ae>|%cn <%ce>|%s', arrived).trim(), 'Paddock agent <agent@paddock.invalid>|Paddock <paddock@paddock.invalid>|agent: change x');
    assert.equal(sh(repo.root, 'log', '-1', '--format=%an <%ae>|%s', r.headSha).trim(), 'Paddock <paddock@paddock.invalid>|leftovers');
    assert.deepEqual(r.report.authorFlags, []);
    assert.equal(sh(repo.root, 'show', `${r.headSha}:src/new.ts`), 'export const z = 3;\n');
    assert.equal(sh(repo.root, 'show', `${r.headSha}:src/app.ts`), 'export const x = 42;\n');
    assert.match(sh(repo.root, 'ls-tree', '-r', '--name-only', r.headSha), /^README.md\nsrc\/app.ts\nsrc\/new.ts\n$/);
    // The clone is the host's again.
    if (isRoot) assert.equal(fs.statSync(path.join(co.dir, 'src/new.ts')).uid, 0);
    // Everything but the run branch is byte-identical, including the user's files, index and HEAD.
    assert.deepEqual(snapshot(repo.root, branch), before);
    assert.equal(r.neutralised.length, 0, `nothing to neutralise in an honest run: ${r.neutralised.join(', ')}`);
  });

  test('same-size edits made right after the checkout are still committed (racy stat data is re-checked)', async () => {
    const branch = 'paddock/racy';
    const runDir = nextRun();
    const co = await createRunCheckout({ paddockHome: repo.home, repo: repo.root, runDir, branch, baseSha: repo.base, ...owner });
    write(path.join(co.dir, 'src/app.ts'), 'export const x = 7;\n');
    const r = await finalizeRunCheckout({ paddockHome: repo.home, repo: repo.root, runDir, bringBack: true });
    assert.equal(sh(repo.root, 'show', `${r.headSha}:src/app.ts`), 'export const x = 7;\n');
    // And a later bring-back after an edit with the same size and an mtime set back to the checkout's.
    const st = fs.statSync(path.join(co.dir, 'src/lib/util.ts'));
    write(path.join(co.dir, 'src/lib/util.ts'), 'export const y = 3;\n');
    fs.utimesSync(path.join(co.dir, 'src/lib/util.ts'), st.atime, st.mtime);
    const r2 = await finalizeRunCheckout({ paddockHome: repo.home, repo: repo.root, runDir, bringBack: true });
    assert.equal(sh(repo.root, 'show', `${r2.headSha}:src/lib/util.ts`), 'export const y = 3;\n');
  });

  test('nothing changed: no commit, branch arrives at the base', async () => {
    const branch = 'paddock/no-change';
    const runDir = nextRun();
    await createRunCheckout({ paddockHome: repo.home, repo: repo.root, runDir, branch, baseSha: repo.base, ...owner });
    const r = await finalizeRunCheckout({ paddockHome: repo.home, repo: repo.root, runDir, branch, bringBack: true });
    assert.equal(r.headSha, repo.base);
    assert.equal(r.commitsAhead, 0);
    assert.equal(r.changed, false);
    assert.equal(r.committedLeftovers, false);
  });

  test('explore run (bringBack=false): work is committed in the clone, nothing arrives', async () => {
    const branch = 'paddock/explore';
    const runDir = nextRun();
    const before = snapshot(repo.root);
    const co = await createRunCheckout({ paddockHome: repo.home, repo: repo.root, runDir, branch, baseSha: repo.base, ...owner });
    write(path.join(co.dir, 'notes.md'), 'found things\n');
    const r = await finalizeRunCheckout({ paddockHome: repo.home, repo: repo.root, runDir, branch, bringBack: false });
    assert.equal(r.broughtBack, false);
    assert.equal(r.commitsAhead, 1);
    assert.deepEqual(snapshot(repo.root), before);
    assert.equal(sh(repo.root, 'branch', '--list', branch), '');
  });

  test('finalize twice (a resumed run): the branch moves on, and a branch the user moved is not overwritten', async () => {
    const branch = 'paddock/twice';
    const runDir = nextRun();
    const co = await createRunCheckout({ paddockHome: repo.home, repo: repo.root, runDir, branch, baseSha: repo.base, ...owner });
    write(path.join(co.dir, 'a.txt'), '1\n');
    const r1 = await finalizeRunCheckout({ paddockHome: repo.home, repo: repo.root, runDir, bringBack: true });
    write(path.join(co.dir, 'a.txt'), '2\n');
    // The agent rewrites its history (amend): the branch Paddock brought back may be force-updated.
    // (After finalize the clone belongs to the host user again, so this runs as that user.)
    sh(co.dir, 'add', '-A');
    sh(co.dir, 'commit', '-q', '--amend', '-m', 'amended');
    const r2 = await finalizeRunCheckout({ paddockHome: repo.home, repo: repo.root, runDir, bringBack: true });
    assert.notEqual(r2.headSha, r1.headSha);
    assert.equal(sh(repo.root, 'rev-parse', branch).trim(), r2.headSha);
    // Now the user commits on that branch in their repo; a later bring-back of a rewritten history must not clobber it.
    sh(repo.root, 'update-ref', `refs/heads/${branch}`, sh(repo.root, 'commit-tree', '-p', r2.headSha, '-m', 'user work', `${r2.headSha}^{tree}`).trim());
    const userHead = sh(repo.root, 'rev-parse', branch).trim();
    sh(co.dir, 'commit', '-q', '--amend', '-m', 'amended again');
    await assert.rejects(finalizeRunCheckout({ paddockHome: repo.home, repo: repo.root, runDir, bringBack: true }), { code: 'CONFLICT' });
    assert.equal(sh(repo.root, 'rev-parse', branch).trim(), userHead);
  });

  test('a sha256 repository round-trips too', async () => {
    const top = tempDir();
    try {
      const root = path.join(top, 'r');
      fs.mkdirSync(root);
      sh(root, 'init', '-q', '-b', 'main', '--object-format=sha256');
      write(path.join(root, 'a.txt'), 'a\n');
      sh(root, 'add', '-A');
      sh(root, 'commit', '-q', '-m', 'one');
      const base = sh(root, 'rev-parse', 'HEAD').trim();
      assert.equal(base.length, 64);
      const runDir = path.join(top, 'run');
      const co = await createRunCheckout({ paddockHome: path.join(top, 'home'), repo: root, runDir, branch: 'paddock/sha256', baseSha: base, ...owner });
      agentSh(co.dir, 'status');
      write(path.join(co.dir, 'b.txt'), 'b\n');
      const r = await finalizeRunCheckout({ paddockHome: path.join(top, 'home'), repo: root, runDir, bringBack: true });
      assert.equal(r.headSha.length, 64);
      assert.equal(sh(root, 'show', `paddock/sha256:b.txt`), 'b\n');
    } finally {
      fs.rmSync(top, { recursive: true, force: true });
    }
  });

  test('wrong repository or branch for the checkout is refused', async () => {
    const other = makeRepo();
    try {
      const runDir = nextRun();
      await createRunCheckout({ paddockHome: repo.home, repo: repo.root, runDir, branch: 'paddock/mismatch', baseSha: repo.base, ...owner });
      await assert.rejects(finalizeRunCheckout({ paddockHome: repo.home, repo: other.root, runDir, bringBack: true }), { code: 'INVALID_INPUT' });
      await assert.rejects(finalizeRunCheckout({ paddockHome: repo.home, repo: repo.root, runDir, branch: 'other', bringBack: true }), { code: 'INVALID_INPUT' });
      await assert.rejects(finalizeRunCheckout({ paddockHome: repo.home, repo: repo.root, runDir: nextRun(), bringBack: true }), { code: 'NOT_FOUND' });
    } finally {
      other.cleanup();
    }
  });
});
