/**
 * The agent may do anything to its clone, including its .git. Each test tampers with the clone exactly as a
 * process inside the container could (the clone dir is what the container sees), then finalizes on the host.
 * After each: no marker file from a planted program exists, and the user's repository (refs, packed-refs,
 * HEAD, config, hooks, info, index, files) is byte-identical apart from the run's own branch arriving.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { createRunCheckout, finalizeRunCheckout } from '../../src/workspace/index.ts';
import type { FinalizedRun, RunCheckout } from '../../src/workspace/index.ts';
import { agentSh, agentShIn, isRoot, makeRepo, markerScript, markersIn, sh, snapshot, tempDir, write } from './helpers.ts';
import type { RepoSnapshot, TestRepo } from './helpers.ts';

const owner = isRoot ? { uid: 1000, gid: 1000 } : {};
const BRANCH = 'paddock/adversary';

let repo: TestRepo;
let evil: string;
let co: RunCheckout;
let runDir: string;
let before: RepoSnapshot;

beforeEach(async () => {
  repo = makeRepo();
  // Give the user's repo packed refs too, so packed-refs is part of what must stay byte-identical.
  sh(repo.root, 'pack-refs', '--all');
  sh(repo.root, 'branch', 'loose-branch');
  evil = tempDir('paddock-evil-');
  runDir = path.join(repo.runs, 'run');
  co = await createRunCheckout({ paddockHome: repo.home, repo: repo.root, runDir, branch: BRANCH, baseSha: repo.base, ...owner });
  // An honest bit of work first, as the agent.
  write(path.join(co.dir, 'src/app.ts'), 'export const x = 99;\n');
  agentSh(co.dir, 'commit', '-q', '-am', 'agent work');
  before = snapshot(repo.root);
});

afterEach(() => {
  repo.cleanup();
  fs.rmSync(evil, { recursive: true, force: true });
});

const finalize = (): Promise<FinalizedRun> => finalizeRunCheckout({ paddockHome: repo.home, repo: repo.root, runDir, bringBack: true });

function assertUserRepoUntouched(branchMayArrive: boolean): void {
  assert.deepEqual(markersIn(evil), [], 'a planted program ran on the host');
  if (branchMayArrive) assert.deepEqual(snapshot(repo.root, BRANCH), before);
  else {
    assert.deepEqual(snapshot(repo.root), before);
    assert.equal(sh(repo.root, 'branch', '--list', BRANCH), '');
  }
}

function hasObject(root: string, sha: string): boolean {
  try {
    sh(root, 'cat-file', '-e', sha);
    return true;
  } catch {
    return false;
  }
}

test('config that would run programs (fsmonitor, hooksPath, filters, diff.external, pager, includes, core.worktree) is reset; planted hooks never run', async () => {
  const m = (name: string): string => markerScript(evil, name).script;
  const hookDir = path.join(co.dir, '.githooks');
  const hooks = [
    'pre-commit',
    'post-commit',
    'commit-msg',
    'reference-transaction',
    'post-checkout',
    'post-index-change',
    'pre-auto-gc',
    'fsmonitor-watchman',
    'post-rewrite',
    'pre-push',
    'update',
    'post-update',
    'push-to-checkout',
    'upload-pack',
  ];
  for (const h of hooks) {
    write(path.join(co.dir, '.git/hooks', h), `#!/bin/sh\n${m(`hook-${h}`)}\n`);
    write(path.join(hookDir, h), `#!/bin/sh\n${m(`hookspath-${h}`)}\n`);
    fs.chmodSync(path.join(co.dir, '.git/hooks', h), 0o755);
    fs.chmodSync(path.join(hookDir, h), 0o755);
  }
  write(path.join(evil, 'included.cfg'), `[core]\n\tfsmonitor = ${m('include-fsmonitor')}\n[filter "inc"]\n\tclean = ${m('include-filter')}\n`);
  fs.appendFileSync(
    path.join(co.dir, '.git/config'),
    [
      '[core]',
      `\tfsmonitor = ${m('fsmonitor')}`,
      `\thooksPath = ${hookDir}`,
      `\tpager = ${m('pager')}`,
      `\teditor = ${m('editor')}`,
      `\tsshCommand = ${m('ssh')}`,
      `\taskPass = ${m('askpass')}`,
      `\talternateRefsCommand = ${m('alternate-refs')}`,
      `\tworktree = ${repo.root}`,
      '[filter "evil"]',
      `\tclean = ${m('filter-clean')}`,
      `\tsmudge = ${m('filter-smudge')}`,
      `\tprocess = ${m('filter-process')}`,
      '\trequired = true',
      '[diff]',
      `\texternal = ${m('diff-external')}`,
      '[diff "evil"]',
      `\ttextconv = ${m('textconv')}`,
      '[merge "evil"]',
      `\tdriver = ${m('merge-driver')}`,
      '[uploadpack]',
      `\tpackObjectsHook = ${m('pack-objects-hook')}`,
      '[credential]',
      `\thelper = !${m('credential')}`,
      '[commit]',
      '\tgpgSign = true',
      '[gpg]',
      `\tprogram = ${m('gpg')}`,
      '[include]',
      `\tpath = ${path.join(evil, 'included.cfg')}`,
      '[extensions]',
      '\tworktreeConfig = true',
      '',
    ].join('\n'),
  );
  write(path.join(co.dir, '.git/config.worktree'), `[core]\n\tfsmonitor = ${m('worktree-config')}\n`);
  write(path.join(co.dir, '.gitattributes'), '* filter=evil diff=evil merge=evil\n');
  write(path.join(co.dir, 'left-over.txt'), 'uncommitted\n');

  const r = await finalize();
  assertUserRepoUntouched(true);
  assert.ok(r.committedLeftovers);
  assert.equal(sh(repo.root, 'show', `${r.headSha}:left-over.txt`), 'uncommitted\n', 'the content is committed as is, never filtered');
  assert.equal(sh(repo.root, 'show', `${r.headSha}:src/app.ts`), 'export const x = 99;\n');
  assert.ok(
    r.neutralised.some((s) => s.startsWith('.git/config')),
    r.neutralised.join('\n'),
  );
  assert.ok(r.neutralised.some((s) => s.startsWith('.git/hooks/')));
  assert.ok(r.neutralised.some((s) => s.startsWith('.git/config.worktree')));
  assert.doesNotMatch(fs.readFileSync(path.join(co.dir, '.git/config'), 'utf8'), /fsmonitor = \//);
  assert.ok(!fs.existsSync(path.join(co.dir, '.git/hooks')));
});

test(".git replaced by a symlink to the user's .git: refused, never followed, nothing brought back", async () => {
  fs.rmSync(path.join(co.dir, '.git'), { recursive: true });
  fs.symlinkSync(path.join(repo.root, '.git'), path.join(co.dir, '.git'));
  write(path.join(co.dir, 'evil.txt'), 'x\n');
  await assert.rejects(finalize(), (e: { code?: string; message?: string }) => e.code === 'CONFLICT' && /tampered.*symlink/.test(e.message ?? ''));
  assertUserRepoUntouched(false);
  assert.ok(!fs.existsSync(path.join(co.dir, '.git')), 'the planted symlink is removed');
});

test('.git replaced by a "gitdir:" file pointing at the user\'s repo: refused, never followed', async () => {
  fs.rmSync(path.join(co.dir, '.git'), { recursive: true });
  write(path.join(co.dir, '.git'), `gitdir: ${path.join(repo.root, '.git')}\n`);
  write(path.join(co.dir, 'evil.txt'), 'x\n');
  await assert.rejects(finalize(), { code: 'CONFLICT' });
  assertUserRepoUntouched(false);
});

test(".git/commondir and gitdir files pointing at the user's repo are dropped; the run branch alone arrives", async () => {
  write(path.join(co.dir, '.git/commondir'), `${path.join(repo.root, '.git')}\n`);
  write(path.join(co.dir, '.git/gitdir'), `${path.join(repo.root, '.git')}\n`);
  write(path.join(co.dir, 'more.txt'), 'more\n');
  const r = await finalize();
  assertUserRepoUntouched(true);
  assert.equal(sh(repo.root, 'show', `${r.headSha}:more.txt`), 'more\n');
  assert.ok(r.neutralised.includes('.git/commondir (removed)'));
});

test("symlinks inside .git (config, hooks, index, packed-refs, refs, objects/info) to the user's repo are removed, their targets untouched", async () => {
  const g = path.join(co.dir, '.git');
  const u = path.join(repo.root, '.git');
  for (const name of ['config', 'hooks', 'index', 'packed-refs', 'refs']) {
    fs.rmSync(path.join(g, name), { recursive: true, force: true });
    fs.symlinkSync(path.join(u, name), path.join(g, name));
  }
  fs.rmSync(path.join(g, 'objects/info'), { recursive: true });
  fs.symlinkSync(path.join(u, 'objects/info'), path.join(g, 'objects/info'));
  write(path.join(u, 'objects/info/keep-me'), 'user file\n');
  before = snapshot(repo.root);
  write(path.join(co.dir, 'after.txt'), 'after\n');
  const r = await finalize();
  assertUserRepoUntouched(true);
  assert.equal(fs.readFileSync(path.join(u, 'objects/info/keep-me'), 'utf8'), 'user file\n');
  // The branch ref was unreadable (refs was a symlink), so the run restarts from its base plus the files it left.
  assert.equal(sh(repo.root, 'rev-parse', `${r.headSha}^`).trim(), repo.base);
  assert.equal(sh(repo.root, 'show', `${r.headSha}:after.txt`), 'after\n');
  assert.equal(sh(repo.root, 'show', `${r.headSha}:src/app.ts`), 'export const x = 99;\n');
});

test(".git/objects replaced by a symlink to the user's objects: refused", async () => {
  fs.rmSync(path.join(co.dir, '.git/objects'), { recursive: true });
  fs.symlinkSync(path.join(repo.root, '.git/objects'), path.join(co.dir, '.git/objects'));
  await assert.rejects(finalize(), (e: { code?: string; message?: string }) => e.code === 'CONFLICT' && /objects/.test(e.message ?? ''));
  assertUserRepoUntouched(false);
});

test("alternates pointing at another repository on the host: reset, so its objects never reach the user's repo", async () => {
  const secret = makeRepo({ 'secret.txt': 'TOP SECRET\n' });
  try {
    const secretCommit = secret.base;
    write(path.join(co.dir, '.git/objects/info/alternates'), `${path.join(repo.root, '.git/objects')}\n${path.join(secret.root, '.git/objects')}\n`);
    write(path.join(co.dir, '.git/objects/info/http-alternates'), 'http://example.invalid/\n');
    write(path.join(co.dir, '.git/refs/heads', BRANCH), `${secretCommit}\n`);
    const r = await finalize();
    assertUserRepoUntouched(true);
    assert.ok(!hasObject(repo.root, secretCommit), 'the secret commit must not arrive');
    assert.ok(!hasObject(repo.root, sh(secret.root, 'rev-parse', 'HEAD:secret.txt').trim()));
    assert.equal(sh(repo.root, 'rev-parse', `${r.headSha}^`).trim(), repo.base);
    assert.equal(fs.readFileSync(path.join(co.dir, '.git/objects/info/alternates'), 'utf8'), `${path.join(repo.root, '.git/objects')}\n`);
    assert.ok(r.neutralised.some((s) => s.startsWith('objects/info/alternates')));
  } finally {
    secret.cleanup();
  }
});

test('a loose object symlinked to a file elsewhere on the host is never read; the branch that needs it is refused', async () => {
  const secret = makeRepo({ 'secret.txt': 'TOP SECRET\n' });
  try {
    const blob = sh(secret.root, 'rev-parse', 'HEAD:secret.txt').trim();
    // The agent knows (or guesses) the blob id, builds a tree and commit naming it, and symlinks the object file.
    const objPath = path.join(co.dir, '.git/objects', blob.slice(0, 2), blob.slice(2));
    fs.mkdirSync(path.dirname(objPath), { recursive: true });
    fs.symlinkSync(path.join(secret.root, '.git/objects', blob.slice(0, 2), blob.slice(2)), objPath);
    const t = agentShIn(co.dir, `100644 blob ${blob}\tstolen.txt\n`, 'mktree', '--missing').trim();
    const c = agentSh(co.dir, 'commit-tree', t, '-p', 'HEAD', '-m', 'steal').trim();
    agentSh(co.dir, 'update-ref', `refs/heads/${BRANCH}`, c);
    await assert.rejects(finalize(), { code: 'GIT_FAILED' });
    assertUserRepoUntouched(false);
    assert.ok(!hasObject(repo.root, blob));
  } finally {
    secret.cleanup();
  }
});

test('refs the agent made (main moved, other branches, tags, refs/replace, grafts, shallow) stay in the clone', async () => {
  const agentHead = agentSh(co.dir, 'rev-parse', 'HEAD').trim();
  const agentTree = agentSh(co.dir, 'rev-parse', 'HEAD^{tree}').trim();
  agentSh(co.dir, 'update-ref', 'refs/heads/main', agentHead);
  agentSh(co.dir, 'update-ref', 'refs/heads/feature', agentHead);
  agentSh(co.dir, 'update-ref', 'refs/heads/evil', agentHead);
  agentSh(co.dir, 'tag', '-f', 'v1', agentHead);
  agentSh(co.dir, 'update-ref', 'refs/remotes/origin/main', agentHead);
  // Replace the base commit with a forged one (a different tree) and graft the history.
  const forged = agentSh(co.dir, 'commit-tree', '-m', 'forged', `${agentHead}^{tree}`).trim();
  agentSh(co.dir, 'replace', '-f', repo.base, forged);
  write(path.join(co.dir, '.git/info/grafts'), `${agentHead}\n`);
  write(path.join(co.dir, '.git/shallow'), `${repo.base}\n`);
  const r = await finalize();
  assertUserRepoUntouched(true);
  // The agent's commit arrives with Paddock as committer: same tree, author and message.
  assert.equal(sh(repo.root, 'rev-parse', `${r.headSha}^{tree}`).trim(), agentTree);
  assert.equal(sh(repo.root, 'log', '-1', '--format=%cn <%ce>', r.headSha).trim(), 'Paddock <paddock@paddock.invalid>');
  assert.ok(!fs.existsSync(path.join(repo.root, '.git/refs/replace')));
  assert.ok(!fs.existsSync(path.join(repo.root, '.git/shallow')));
  assert.equal(sh(repo.root, 'rev-parse', 'main').trim(), repo.base);
  assert.equal(sh(repo.root, 'rev-parse', `${r.headSha}^`).trim(), repo.base, 'real history, no graft, no replacement');
  assert.equal(sh(repo.root, 'log', '-1', '--format=%s', repo.base).trim(), 'initial');
  assert.ok(r.neutralised.includes('.git/refs/replace (removed)'));
  assert.ok(r.neutralised.includes('.git/shallow (removed)'));
  assert.ok(r.neutralised.includes('.git/info/grafts (removed)'));
});

test('symlinks in the working tree pointing anywhere on the host are committed as links, their targets never read', async () => {
  write(path.join(evil, 'host-secret.txt'), 'HOST SECRET\n');
  fs.symlinkSync(path.join(evil, 'host-secret.txt'), path.join(co.dir, 'secret-link'));
  fs.symlinkSync(evil, path.join(co.dir, 'dir-link'));
  fs.symlinkSync('/etc', path.join(co.dir, 'etc-link'));
  const r = await finalize();
  assertUserRepoUntouched(true);
  assert.match(sh(repo.root, 'ls-tree', r.headSha, 'secret-link'), /^120000 blob /);
  assert.equal(sh(repo.root, 'cat-file', 'blob', `${r.headSha}:secret-link`), path.join(evil, 'host-secret.txt'));
  assert.ok(!hasObject(repo.root, sh(repo.root, 'hash-object', path.join(evil, 'host-secret.txt')).trim()));
  assert.equal(
    sh(repo.root, 'ls-tree', '-r', '--name-only', r.headSha)
      .split('\n')
      .filter((l) => l.startsWith('dir-link/')).length,
    0,
  );
  assert.ok(fs.existsSync(path.join(evil, 'host-secret.txt')));
});

test('FIFOs where git expects files (config, HEAD, a branch ref, the worktree) do not hang finalize', { timeout: 20_000 }, async () => {
  const g = path.join(co.dir, '.git');
  for (const p of ['config', 'HEAD', 'index', `refs/heads/${BRANCH}`]) {
    fs.rmSync(path.join(g, p), { force: true });
    execFileSync('mkfifo', [path.join(g, p)]);
  }
  execFileSync('mkfifo', [path.join(co.dir, 'pipe')]);
  write(path.join(co.dir, 'real.txt'), 'real\n');
  const r = await finalize();
  assertUserRepoUntouched(true);
  assert.equal(sh(repo.root, 'show', `${r.headSha}:real.txt`), 'real\n');
  assert.doesNotMatch(sh(repo.root, 'ls-tree', '-r', '--name-only', r.headSha), /^pipe$/m);
});

test("nested repositories with their own fsmonitor/hooks, and a nested .git file pointing at the user's repo, run nothing", async () => {
  const sub = path.join(co.dir, 'vendor/sub');
  fs.mkdirSync(sub, { recursive: true });
  sh(sub, 'init', '-q');
  write(path.join(sub, 'f.txt'), 'f\n');
  sh(sub, 'add', '-A');
  sh(sub, 'commit', '-q', '-m', 'sub');
  const fsm = markerScript(evil, 'nested-fsmonitor').script;
  const flt = markerScript(evil, 'nested-filter').script;
  fs.appendFileSync(path.join(sub, '.git/config'), `[core]\n\tfsmonitor = ${fsm}\n[filter "x"]\n\tclean = ${flt}\n`);
  write(path.join(sub, '.gitattributes'), '* filter=x\n');
  write(path.join(sub, 'dirty.txt'), 'dirty\n');
  write(path.join(co.dir, 'vendor/other/.git'), `gitdir: ${path.join(repo.root, '.git')}\n`);
  write(path.join(co.dir, 'vendor/other/file.txt'), 'x\n');
  await finalize();
  assertUserRepoUntouched(true);
});

test('a tree with a ".git" entry is refused by the fsck on bring-back', async () => {
  const blob = agentShIn(co.dir, '[core]\n\tfsmonitor = evil\n', 'hash-object', '-w', '--stdin').trim();
  const tree = agentShIn(co.dir, `100644 blob ${blob}\t.git\n`, 'mktree').trim();
  const c = agentSh(co.dir, 'commit-tree', tree, '-p', 'HEAD', '-m', 'dotgit').trim();
  agentSh(co.dir, 'update-ref', `refs/heads/${BRANCH}`, c);
  await assert.rejects(finalize(), { code: 'GIT_FAILED' });
  assertUserRepoUntouched(false);
});

test('setuid/setgid bits the agent set are cleared when the clone is taken back', { skip: !isRoot && 'needs root to hand the clone to UID 1000' }, async () => {
  const f = path.join(co.dir, 'suid.sh');
  write(f, '#!/bin/sh\nid\n');
  fs.chownSync(f, 1000, 1000);
  fs.chmodSync(f, 0o6755);
  const r = await finalize();
  const st = fs.statSync(f);
  assert.equal(st.uid, 0);
  assert.equal(st.mode & 0o6000, 0, 'no setuid/setgid left on a root-owned file');
  assert.match(sh(repo.root, 'ls-tree', r.headSha, 'suid.sh'), /^100755 /);
  assertUserRepoUntouched(true);
});

test('.git deleted entirely: rebuilt from the base, the files the agent left still arrive', async () => {
  fs.rmSync(path.join(co.dir, '.git'), { recursive: true });
  const r = await finalize();
  assertUserRepoUntouched(true);
  assert.equal(sh(repo.root, 'rev-parse', `${r.headSha}^`).trim(), repo.base);
  assert.equal(sh(repo.root, 'show', `${r.headSha}:src/app.ts`), 'export const x = 99;\n');
});
