/**
 * Finalize against a hostile working tree (issue 14, findings 5, 7, 11): special files where git reads, nested
 * `.git` entries, huge and sparse files, symlinks out of the tree, forged authors and dates. Each test plants what a
 * process in the container could, then finalizes on the host.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { symlinkEscape } from '../../src/workspace/hostile-tree.ts';
import { createRunCheckout, finalizeRunCheckout } from '../../src/workspace/index.ts';
import type { FinalizedRun, RunCheckout } from '../../src/workspace/index.ts';
import { outsideSymlinksBetween } from '../../src/workspace/symlinks.ts';
import { agentSh, isRoot, makeRepo, sh, write } from './helpers.ts';
import type { TestRepo } from './helpers.ts';

const owner = isRoot ? { uid: 1000, gid: 1000 } : {};
const BRANCH = 'paddock/hostile';

let repo: TestRepo;
let co: RunCheckout;
let runDir: string;

beforeEach(async () => {
  repo = makeRepo();
  runDir = path.join(repo.runs, 'run');
  co = await createRunCheckout({ paddockHome: repo.home, repo: repo.root, runDir, branch: BRANCH, baseSha: repo.base, ...owner });
});

afterEach(() => repo.cleanup());

const finalize = (extra: { maxFileBytes?: number } = {}): Promise<FinalizedRun> => finalizeRunCheckout({ paddockHome: repo.home, repo: repo.root, runDir, bringBack: true, ...extra });

test('FIFOs named .gitignore and .gitattributes, a nested repo whose .git/HEAD is a FIFO, a socket: removed before git runs, reported, finalize quick', async () => {
  execFileSync('mkfifo', [path.join(co.dir, '.gitignore'), path.join(co.dir, 'src/.gitattributes')]);
  fs.mkdirSync(path.join(co.dir, 'nested/.git'), { recursive: true });
  execFileSync('mkfifo', [path.join(co.dir, 'nested/.git/HEAD')]);
  write(path.join(co.dir, 'nested/file.txt'), 'nested work\n');
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(path.join(co.dir, 'sock'), resolve));
  write(path.join(co.dir, 'kept.txt'), 'kept\n');
  const t0 = Date.now();
  const r = await finalize();
  server.close();
  assert.ok(Date.now() - t0 < 20_000, 'finalize did not wait on a FIFO');
  assert.deepEqual(
    r.report.removed.map((x) => `${x.path}:${x.kind}`),
    ['.gitignore:fifo', 'nested/.git:nested-git', 'sock:socket', 'src/.gitattributes:fifo'],
  );
  assert.equal(sh(repo.root, 'show', `${r.headSha}:kept.txt`), 'kept\n');
  assert.equal(sh(repo.root, 'show', `${r.headSha}:nested/file.txt`), 'nested work\n', "the nested repo's files come as plain files");
});

test("a nested .git file naming the user's repository is removed unread", async () => {
  fs.mkdirSync(path.join(co.dir, 'sub'));
  write(path.join(co.dir, 'sub/.git'), `gitdir: ${path.join(repo.root, '.git')}\n`);
  write(path.join(co.dir, 'sub/a.txt'), 'a\n');
  fs.symlinkSync(path.join(repo.root, '.git'), path.join(co.dir, 'linked.git'));
  const r = await finalize();
  assert.deepEqual(
    r.report.removed.map((x) => x.path),
    ['sub/.git'],
  );
  const tree = sh(repo.root, 'ls-tree', '-r', r.headSha);
  assert.match(tree, /sub\/a.txt/);
  assert.doesNotMatch(tree, /160000/, 'no gitlink to another repository');
  assert.deepEqual(
    r.report.outsideSymlinks.map((s) => `${s.path}:${s.why}`),
    ['linked.git:git'],
  );
});

test('a file above the size limit and a 4 GiB sparse file are left out and reported; the base version of a tracked one stays', async () => {
  const big = path.join(co.dir, 'big.bin');
  fs.writeFileSync(big, Buffer.alloc(3 * 1024 * 1024, 7));
  const sparse = path.join(co.dir, 'src/app.ts'); // tracked: its base version must stay
  fs.truncateSync(sparse, 4 * 1024 ** 3);
  write(path.join(co.dir, 'small.txt'), 'small\n');
  const t0 = Date.now();
  const r = await finalize({ maxFileBytes: 2 * 1024 * 1024 });
  assert.ok(Date.now() - t0 < 15_000, `finalize took ${Date.now() - t0} ms`);
  assert.deepEqual(
    r.report.leftOut.map((f) => `${f.path}:${f.why}:${f.size}`),
    [`big.bin:too-large:${3 * 1024 * 1024}`, `src/app.ts:sparse:${4 * 1024 ** 3}`],
  );
  const tree = sh(repo.root, 'ls-tree', '-r', '-l', r.headSha);
  assert.doesNotMatch(tree, /big\.bin/);
  assert.equal(sh(repo.root, 'show', `${r.headSha}:src/app.ts`), 'export const x = 1;\n');
  assert.equal(sh(repo.root, 'show', `${r.headSha}:small.txt`), 'small\n');
});

test('symlinks out of the tree (absolute, climbing with .., into .git) are reported; inside ones are not', async () => {
  fs.symlinkSync('/etc/passwd', path.join(co.dir, 'passwd'));
  fs.symlinkSync('../../../../root', path.join(co.dir, 'src/root'));
  fs.symlinkSync('.git/config', path.join(co.dir, 'cfg'));
  fs.symlinkSync('lib/util.ts', path.join(co.dir, 'src/ok'));
  const r = await finalize();
  assert.deepEqual(
    r.report.outsideSymlinks.map((s) => `${s.path}:${s.why}`),
    ['cfg:git', 'passwd:absolute', 'src/root:escapes'],
  );
  const found = await outsideSymlinksBetween(repo.root, repo.base, r.headSha);
  assert.deepEqual(
    found.map((s) => `${s.path}->${s.target}:${s.why}`),
    ['cfg->.git/config:git', 'passwd->/etc/passwd:absolute', 'src/root->../../../../root:escapes'],
  );
});

test('symlinkEscape judges the link text as git stores it', () => {
  assert.equal(symlinkEscape('a/b', '../c'), undefined);
  assert.equal(symlinkEscape('a/b', '../../c'), 'escapes');
  assert.equal(symlinkEscape('a', '/x'), 'absolute');
  assert.equal(symlinkEscape('a/b', '../.git/hooks/pre-commit'), 'git');
  assert.equal(symlinkEscape('a', 'x/../../.'), 'escapes');
  assert.equal(symlinkEscape('a', '/home/u/repo/.git'), 'git');
});

test("the agent's commits get Paddock as committer; a forged author and a 1970 date are kept as author and flagged", async () => {
  write(path.join(co.dir, 'honest.txt'), 'honest\n');
  agentSh(co.dir, 'add', 'honest.txt');
  agentSh(co.dir, 'commit', '-q', '-m', 'honest');
  write(path.join(co.dir, 'forged.txt'), 'forged\n');
  agentSh(co.dir, 'add', 'forged.txt');
  execFileSync('git', ['-C', co.dir, 'commit', '-q', '-m', 'forged'], {
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Linus Torvalds',
      GIT_AUTHOR_EMAIL: 'torvalds@example.org',
      GIT_AUTHOR_DATE: '1970-01-01T00:00:01Z',
      GIT_COMMITTER_NAME: 'Linus Torvalds',
      GIT_COMMITTER_EMAIL: 'torvalds@example.org',
      GIT_COMMITTER_DATE: '1970-01-01T00:00:01Z',
    },
    ...(isRoot ? { uid: 1000, gid: 1000 } : {}),
  });
  const r = await finalize();
  assert.equal(r.report.restamped, 2);
  const log = sh(repo.root, 'log', '--format=%an|%cn <%ce>|%s', `${repo.base}..${r.headSha}`).trim().split('\n');
  assert.deepEqual(log, ['Linus Torvalds|Paddock <paddock@paddock.invalid>|forged', 'Paddock agent|Paddock <paddock@paddock.invalid>|honest']);
  assert.equal(r.report.authorFlags.length, 1);
  assert.deepEqual(r.report.authorFlags[0]?.flags, ['author', 'date']);
  assert.equal(r.report.authorFlags[0]?.author, 'Linus Torvalds <torvalds@example.org>');
  // A second finalize keeps the restamped commits as they are.
  const again = await finalize();
  assert.equal(again.headSha, r.headSha);
  assert.equal(again.report.restamped, 0);
});

test('a file above the size limit the agent committed is taken out of its commits (and those after); the rest of its history stays', async () => {
  fs.writeFileSync(path.join(co.dir, 'big.bin'), Buffer.alloc(3 * 1024 * 1024, 1));
  write(path.join(co.dir, 'a.txt'), 'a\n');
  agentSh(co.dir, 'add', 'big.bin', 'a.txt');
  agentSh(co.dir, 'commit', '-q', '-m', 'big and a');
  write(path.join(co.dir, 'b.txt'), 'b\n');
  agentSh(co.dir, 'add', 'b.txt');
  agentSh(co.dir, 'commit', '-q', '-m', 'b');
  fs.rmSync(path.join(co.dir, 'big.bin'));
  const r = await finalize({ maxFileBytes: 2 * 1024 * 1024 });
  assert.deepEqual(
    r.report.leftOut.map((f) => `${f.path}:${f.why}:${f.inCommit === undefined ? 'tree' : 'commit'}`),
    ['big.bin:too-large:commit'],
  );
  const log = sh(repo.root, 'log', '--format=%s', `${repo.base}..${r.headSha}`).trim().split('\n');
  assert.deepEqual(log, ['b', 'big and a'], 'its history stays, nothing left over');
  for (const c of sh(repo.root, 'rev-list', `${repo.base}..${r.headSha}`).trim().split('\n')) {
    assert.doesNotMatch(sh(repo.root, 'ls-tree', '-r', '--name-only', c), /big\.bin/, `commit ${c} still has big.bin`);
  }
  assert.equal(sh(repo.root, 'show', `${r.headSha}:a.txt`), 'a\n');
  assert.equal(sh(repo.root, 'show', `${r.headSha}:b.txt`), 'b\n');
});
