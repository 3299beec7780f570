import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { branchExists, createRunCheckout, defaultBranchName, inspectRepo, resolveBase, slugify, validateBranchName } from '../../src/workspace/index.ts';
import { makeRepo, sh, tempDir } from './helpers.ts';

const repo = makeRepo();
const scratch = tempDir();
after(() => {
  repo.cleanup();
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe('inspectRepo', () => {
  test('resolves any path inside to the top level, its git dirs, objects dir, branch and HEAD', async () => {
    const info = await inspectRepo(path.join(repo.root, 'src', 'lib'));
    assert.equal(info.root, repo.root);
    assert.equal(info.gitDir, path.join(repo.root, '.git'));
    assert.equal(info.commonDir, path.join(repo.root, '.git'));
    assert.equal(info.objectsDir, path.join(repo.root, '.git', 'objects'));
    assert.equal(info.currentBranch, 'main');
    assert.equal(info.head, repo.base);
    assert.equal(info.objectFormat, 'sha1');
    assert.deepEqual(info.alternateObjectDirs, []);
  });

  test('a linked worktree resolves to its own top level and the shared common dir', async () => {
    const wt = path.join(scratch, 'wt');
    sh(repo.root, 'worktree', 'add', '-q', '--detach', wt, 'HEAD');
    const info = await inspectRepo(wt);
    assert.equal(info.root, wt);
    assert.equal(info.commonDir, path.join(repo.root, '.git'));
    assert.equal(info.objectsDir, path.join(repo.root, '.git', 'objects'));
    assert.equal(info.currentBranch, null);
    sh(repo.root, 'worktree', 'remove', '--force', wt);
  });

  test('a repository that itself borrows objects lists them as further object dirs', async () => {
    const borrower = path.join(scratch, 'borrower');
    sh(scratch, 'clone', '-q', '--shared', repo.root, borrower);
    const info = await inspectRepo(borrower);
    assert.deepEqual(info.alternateObjectDirs, [path.join(repo.root, '.git', 'objects')]);
  });

  test('missing path, a file, not a repository, a bare repository, inside .git: INVALID_INPUT with what to do', async () => {
    await assert.rejects(inspectRepo(path.join(scratch, 'nope')), (e: { code?: string; message?: string }) => e.code === 'INVALID_INPUT' && /does not exist/.test(e.message ?? ''));
    fs.writeFileSync(path.join(scratch, 'file'), 'x');
    await assert.rejects(inspectRepo(path.join(scratch, 'file')), { code: 'INVALID_INPUT' });
    const plain = path.join(scratch, 'plain');
    fs.mkdirSync(plain);
    await assert.rejects(
      inspectRepo(plain),
      (e: { code?: string; message?: string; hint?: string }) => e.code === 'INVALID_INPUT' && /not a git repository/.test(e.message ?? '') && /git init/.test(e.hint ?? ''),
    );
    const bare = path.join(scratch, 'bare.git');
    sh(scratch, 'init', '-q', '--bare', bare);
    await assert.rejects(inspectRepo(bare), (e: { code?: string; message?: string }) => e.code === 'INVALID_INPUT' && /bare/.test(e.message ?? ''));
    await assert.rejects(inspectRepo(path.join(repo.root, '.git')), { code: 'INVALID_INPUT' });
  });
});

describe('resolveBase', () => {
  test('HEAD by default; branches, tags and shas resolve to commits', async () => {
    assert.equal(await resolveBase(repo.root), repo.base);
    assert.equal(await resolveBase(repo.root, 'feature'), repo.base);
    assert.equal(await resolveBase(repo.root, 'v1'), repo.base);
    assert.equal(await resolveBase(repo.root, repo.base.slice(0, 10)), repo.base);
  });

  test('unknown base names it and says how to list branches; option-like input is refused', async () => {
    await assert.rejects(
      resolveBase(repo.root, 'no-such-branch'),
      (e: { code?: string; message?: string; hint?: string }) => e.code === 'INVALID_INPUT' && /no-such-branch/.test(e.message ?? '') && /branch --list/.test(e.hint ?? ''),
    );
    await assert.rejects(resolveBase(repo.root, '--all'), { code: 'INVALID_INPUT' });
  });

  test('a repository with no commits: a clear error', async () => {
    const empty = path.join(scratch, 'empty');
    sh(scratch, 'init', '-q', empty);
    await assert.rejects(resolveBase(empty), (e: { code?: string; message?: string }) => e.code === 'INVALID_INPUT' && /no commits/.test(e.message ?? ''));
  });
});

describe('branch names', () => {
  test('slug: lowercase, [a-z0-9-], at most 40 characters', () => {
    assert.equal(slugify('Fix the Login bug!!'), 'fix-the-login-bug');
    assert.equal(slugify('  Café — naïve résumé  '), 'cafe-naive-resume');
    assert.equal(slugify('***'), 'run');
    const long = slugify('a'.repeat(30) + ' ' + 'b'.repeat(30));
    assert.ok(long.length <= 40 && /^[a-z0-9-]+$/.test(long) && !long.endsWith('-'));
    assert.equal(defaultBranchName('Add tests for parser', '9F3A2B1C-44d0-4e0b'), 'paddock/add-tests-for-parser-9f3a2b1c');
  });

  test('valid names pass; invalid ones are INVALID_INPUT', async () => {
    await validateBranchName('paddock/fix-1a2b3c4d');
    await validateBranchName(repo.root, 'feature/x_y.z');
    for (const bad of ['', '-x', 'a..b', 'a b', 'x.lock', 'a~1', 'a^', 'a:b', 'a?', 'a*', 'a[', 'a\\b', '@{-1}', 'HEAD', 'end/', '/start', 'a//b', 'refs/heads/x']) {
      await assert.rejects(validateBranchName(bad), { code: 'INVALID_INPUT' }, `should refuse ${JSON.stringify(bad)}`);
    }
  });

  test('branchExists', async () => {
    assert.equal(await branchExists(repo.root, 'main'), true);
    assert.equal(await branchExists(repo.root, 'feature'), true);
    assert.equal(await branchExists(repo.root, 'v1'), false, 'a tag is not a branch');
    assert.equal(await branchExists(repo.root, 'nope'), false);
  });
});

describe('createRunCheckout bad input', () => {
  const common = () => ({ paddockHome: repo.home, repo: repo.root, runDir: path.join(repo.runs, `bad-${Math.random().toString(16).slice(2)}`), baseSha: repo.base });
  test('not a repo, missing path, unknown base, invalid branch name, existing branch', async () => {
    await assert.rejects(createRunCheckout({ ...common(), repo: scratch, branch: 'paddock/a' }), { code: 'INVALID_INPUT' });
    await assert.rejects(createRunCheckout({ ...common(), repo: path.join(scratch, 'missing'), branch: 'paddock/a' }), { code: 'INVALID_INPUT' });
    await assert.rejects(createRunCheckout({ ...common(), baseSha: 'nope', branch: 'paddock/a' }), { code: 'INVALID_INPUT' });
    await assert.rejects(createRunCheckout({ ...common(), branch: 'bad..name' }), { code: 'INVALID_INPUT' });
    await assert.rejects(createRunCheckout({ ...common(), branch: 'feature' }), (e: { code?: string; message?: string }) => e.code === 'CONFLICT' && /already exists/.test(e.message ?? ''));
    // None of them left anything behind.
    assert.deepEqual(
      fs.readdirSync(repo.runs).filter((d) => fs.existsSync(path.join(repo.runs, d, 'src'))),
      [],
    );
  });

  test('continuing on an existing branch is allowed with reuseBranch, from its head only', async () => {
    const co = await createRunCheckout({ ...common(), branch: 'feature', reuseBranch: true });
    assert.equal(co.baseSha, repo.base);
    sh(repo.root, 'update-ref', 'refs/heads/moved', sh(repo.root, 'commit-tree', '-p', repo.base, '-m', 'x', `${repo.base}^{tree}`).trim());
    await assert.rejects(createRunCheckout({ ...common(), branch: 'moved', reuseBranch: true }), { code: 'CONFLICT' });
  });
});
