import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { git, makeRepo, paddockEnv, repoFingerprint, statusJson, until } from './harness.ts';

describe('parallel runs on one repo', () => {
  it("4 runs: 4 branches, no interference, all completed; the user's checkout untouched", async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    e.model.script('own-file', ({ arg, cwd }) => [{ tools: [{ name: 'Write', input: { file_path: `${cwd}/run-${arg}.txt`, content: `run ${arg}\n` } }] }, { text: `wrote run-${arg}.txt` }]);
    const before = await repoFingerprint(repo);
    const spawned = await Promise.all([1, 2, 3, 4].map((n) => e.cli(['spawn', '--repo', repo, '--branch', `par/${n}`, '--detach', '--task', `Write your file [[script:own-file ${n}]]`])));
    const ids = spawned.map((r) => {
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.trim();
    });
    assert.equal(new Set(ids).size, 4);
    for (const id of ids) await until(async () => ['completed', 'failed', 'crashed'].includes((await statusJson(e, id)).state), `run ${id} to end`, 180_000, 500);

    for (const [i, id] of ids.entries()) {
      const s = await statusJson(e, id);
      assert.equal(s.state, 'completed', `run ${id}: ${String(s.reason)} ${String(s.error)}`);
      const n = i + 1;
      const files = (await git(repo, 'ls-tree', '-r', '--name-only', `par/${n}`)).split('\n');
      assert.ok(files.includes(`run-${n}.txt`));
      assert.deepEqual(
        files.filter((f) => f.startsWith('run-')),
        [`run-${n}.txt`],
        "each branch holds only its own run's work",
      );
    }
    const after = await repoFingerprint(repo);
    assert.deepEqual({ ...after, refs: '' }, { ...before, refs: '' });
    assert.equal(
      after.refs
        .split('\n')
        .filter((l) => !l.startsWith('refs/heads/par/'))
        .join('\n'),
      before.refs,
    );
  });
});
