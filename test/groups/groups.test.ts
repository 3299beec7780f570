import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { git, leftovers, makeRepo, paddockEnv } from '../e2e/harness.ts';

interface Comparison {
  group: { id: string; checkCommand: string | null };
  ended: boolean;
  runs: {
    rank: number;
    label: string;
    cli: string;
    runId: string;
    branch: string;
    state: string;
    filesChanged: number | null;
    insertions: number | null;
    check: { passed: boolean; exitCode: number | null; outputTail: string } | null;
  }[];
}

describe('run groups: one task raced n times, each on its own branch, checked and compared', () => {
  it('spawn --n 2 --check: two runs on <branch>-<label>, both checked in a helper container, compare ranks them (text and JSON)', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    e.model.script('race', ({ cwd }) => [{ tools: [{ name: 'Write', input: { file_path: `${cwd}/answer.txt`, content: 'forty-two\n' } }] }, { text: 'Wrote answer.txt.' }]);

    // Followed to the end: per-run state lines, then the checks, then the table; exit 0 (a run completed).
    const r = await e.cli(['spawn', '--repo', repo, '--branch', 'race', '--task', 'Answer [[script:race]]', '--n', '2', '--check', 'grep -q forty-two answer.txt && echo checked-ok']);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const gid = /group ([0-9a-f]{12})/.exec(r.stderr)?.[1];
    assert.ok(gid, r.stderr);
    assert.match(r.stderr, /checking claude-1 \(run [0-9a-f]{12}\): grep -q forty-two/);
    assert.match(r.stdout, /CHECK/);
    assert.equal((r.stdout.match(/pass/g) ?? []).length, 2, r.stdout);

    // Both branches arrived in the user's repository with the work; the check saw it.
    const branches = (await git(repo, 'branch', '--list', 'race-*', '--format=%(refname:short)')).trim().split('\n').sort();
    assert.deepEqual(branches, ['race-claude-1', 'race-claude-2']);
    for (const b of branches) assert.equal((await git(repo, 'show', `${b}:answer.txt`)).trim(), 'forty-two');

    const j = await e.cli(['compare', gid, '--json']);
    assert.equal(j.code, 0, j.stderr);
    const c = JSON.parse(j.stdout) as Comparison;
    assert.equal(c.ended, true);
    assert.equal(c.group.checkCommand, 'grep -q forty-two answer.txt && echo checked-ok');
    assert.deepEqual(
      c.runs.map((x) => x.rank),
      [1, 2],
    );
    for (const x of c.runs) {
      assert.equal(x.state, 'completed');
      assert.equal(x.cli, 'claude');
      assert.equal(x.filesChanged, 1);
      assert.equal(x.insertions, 1);
      assert.equal(x.check?.passed, true);
      assert.equal(x.check?.exitCode, 0);
      assert.match(x.check?.outputTail ?? '', /checked-ok/);
    }
    // The checks ran once per head: compare again runs none (no progress lines), the results are kept.
    const again = await e.cli(['compare', gid]);
    assert.doesNotMatch(again.stderr, /checking/);
    const list = JSON.parse((await e.cli(['groups', '--json'])).stdout) as { group: { id: string }; members: { state: string }[] }[];
    assert.equal(list[0]?.group.id, gid);
    assert.deepEqual(
      list[0]?.members.map((m) => m.state),
      ['completed', 'completed'],
    );
    // No helper container is left behind.
    assert.deepEqual(
      (await leftovers(e)).containers.filter((n) => n.includes('check')),
      [],
    );
  });

  it('a failing check ranks its run last, with its exit code and output; bad group requests are refused before anything is made', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    e.model.script('half', ({ cwd }) => [{ tools: [{ name: 'Write', input: { file_path: `${cwd}/n.txt`, content: 'x\n' } }] }, { text: 'done' }]);
    const d = await e.cli(['spawn', '--repo', repo, '--branch', 'fc', '--task', 'Do it [[script:half]]', '--n', '2', '--check', 'echo "no tests here" >&2; exit 3', '--detach', '--json']);
    assert.equal(d.code, 0, d.stderr);
    const spawned = JSON.parse(d.stdout) as { group: { id: string }; runs: { label: string; run: { id: string; branch: string } }[] };
    assert.deepEqual(
      spawned.runs.map((x) => x.run.branch),
      ['fc-claude-1', 'fc-claude-2'],
    );
    for (const x of spawned.runs) assert.equal((await e.cli(['logs', '-f', x.run.id])).code, 0);
    const c = JSON.parse((await e.cli(['compare', spawned.group.id, '--json'])).stdout) as Comparison;
    for (const x of c.runs) {
      assert.equal(x.check?.passed, false);
      assert.equal(x.check?.exitCode, 3);
      assert.match(x.check?.outputTail ?? '', /no tests here/);
    }
    const text = await e.cli(['compare', spawned.group.id]);
    assert.match(text.stdout, /fail \(3\)/);

    const runsBefore = JSON.parse((await e.cli(['ls', '--all', '--json'])).stdout).length;
    for (const [args, msg] of [
      [['--cli', 'claude,claude'], /listed twice/],
      [['--cli', 'claude,nope'], /unknown agent "nope"/],
      [['--n', '9'], /n|more than 8/],
      [['--n', '2', '--session', '00000000-0000-4000-8000-000000000000'], /session/],
    ] as const) {
      const bad = await e.cli(['spawn', '--repo', repo, '--task', 'x', ...args, '--detach']);
      assert.equal(bad.code, 2, `${args.join(' ')}: ${bad.stderr}`);
      assert.match(bad.stderr, msg);
    }
    assert.equal(JSON.parse((await e.cli(['ls', '--all', '--json'])).stdout).length, runsBefore, 'a refused group made no run');
    const unknown = await e.cli(['compare', 'abcdef']);
    assert.equal(unknown.code, 3, unknown.stderr);
  });
});
