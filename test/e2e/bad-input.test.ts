import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { git, leftovers, makeRepo, paddockEnv, repoFingerprint } from './harness.ts';

describe('bad input: a clear error, exit ≠ 0, nothing left behind', () => {
  it('rejects each bad spawn before creating anything', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const notRepo = mkdtempSync(join(tmpdir(), 'paddock-notrepo-'));
    const before = await repoFingerprint(repo);
    const cases: [string, string[], RegExp, number][] = [
      ['not a git repo', ['--repo', notRepo, '--task', 'x'], /not a git repo/i, 2],
      ['repo path missing', ['--repo', '/nonexistent/paddock/repo', '--task', 'x'], /does not exist/, 2],
      ['unknown base', ['--repo', repo, '--base', 'no-such-branch', '--task', 'x'], /no-such-branch/, 2],
      ['unknown image', ['--repo', repo, '--image', 'localhost/no-such-image:1', '--task', 'x'], /no-such-image/, 6],
      ['bad memory', ['--repo', repo, '--memory', '1.5x', '--task', 'x'], /invalid memory limit "1\.5x"/, 2],
      ['negative memory', ['--repo', repo, '--memory', '-1', '--task', 'x'], /"-1"/, 2],
      ['bad timeout', ['--repo', repo, '--timeout', '-1', '--task', 'x'], /invalid timeout "-1"/, 2],
      ['bad cpus', ['--repo', repo, '--cpus', '1.5x', '--task', 'x'], /invalid cpus "1\.5x"/, 2],
      ['empty task', ['--repo', repo, '--task', '   '], /task is empty/, 2],
      ['bad type', ['--repo', repo, '--type', 'refactor', '--task', 'x'], /type/, 2],
      ['bad branch name', ['--repo', repo, '--branch', 'bad..name', '--task', 'x'], /bad\.\.name/, 2],
      ['existing branch', ['--repo', repo, '--branch', 'main', '--task', 'x'], /already exists.*--reuse-branch/s, 4],
      ['base with a reused branch', ['--repo', repo, '--branch', 'main', '--reuse-branch', '--base', 'main~1', '--task', 'x'], /--base main~1 cannot apply/, 2],
      ['bad agent option', ['--repo', repo, '--agent-option', 'nokeyvalue', '--task', 'x'], /expected key=value/, 2],
      ['unknown agent option', ['--repo', repo, '--agent-option', 'no_such_option=1', '--task', 'x'], /no_such_option/, 2],
    ];
    for (const [what, args, message, code] of cases) {
      const r = await e.cli(['spawn', ...args]);
      assert.equal(r.code, code, `${what}: exit ${r.code}\n${r.stderr}`);
      assert.match(r.stderr, message, what);
      assert.match(r.stderr, /^error: /m, `${what}: says it is an error`);
    }
    const missingFlag = await e.cli(['spawn', '--repo', repo]);
    assert.equal(missingFlag.code, 2);
    assert.match(missingFlag.stderr, /--task/);

    assert.deepEqual(await repoFingerprint(repo), before, 'the repo is untouched');
    assert.deepEqual(await leftovers(e), { containers: [], volumes: [] });
    assert.deepEqual(readdirSync(join(e.home, 'runs')), []);
    const ls = await e.cli(['ls', '--all', '--json']);
    assert.deepEqual(JSON.parse(ls.stdout), []);
    assert.equal(await git(repo, 'branch', '--list', 'paddock/*'), '');
  });

  it('no engine reachable: a clear error naming what to do', async (t) => {
    const e = await paddockEnv(t, { PADDOCK_ENGINE_SOCKET: '/nonexistent/engine.sock' });
    const repo = await makeRepo(t);
    const r = await e.cli(['spawn', '--repo', repo, '--task', 'x']);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stderr, /engine/i);
    assert.match(r.stderr, /hint: /);
    assert.deepEqual(readdirSync(join(e.home, 'runs')), []);
    const doctor = await e.cli(['doctor']);
    assert.equal(doctor.code, 1);
    assert.match(doctor.stdout, /✘ engine/);
    assert.match(doctor.stdout, /fix: /);
  });

  it('unknown run ids and bad config say what is wrong', async (t) => {
    const e = await paddockEnv(t);
    const r = await e.cli(['status', 'abcdef']);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /no run abcdef/);
    const bad = await e.cli(['status', 'not-an-id!']);
    assert.equal(bad.code, 2);
    const e2 = await paddockEnv(t, { PADDOCK_TIMEOUT: 'forever' });
    const c = await e2.cli(['ls']);
    assert.equal(c.code, 2);
    assert.match(c.stderr, /PADDOCK_TIMEOUT/);
  });
});
