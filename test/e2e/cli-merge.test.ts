import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventsJson, git, makeRepo, paddockEnv, repoFingerprint, runIdOf, statusJson } from './harness.ts';

const mergeNotes = async (e: Parameters<typeof eventsJson>[0], id: string) => (await eventsJson(e, id)).filter((ev) => ev.kind === 'note' && /^merged into/.test(String(ev.data.message)));

describe('merge with nothing to merge, and diff --json', () => {
  it('an empty run: "nothing to merge", exit 0, merged:false, and no merge recorded', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const r = await e.cli(['spawn', '--repo', repo, '--task', 'Just answer [[script:hello]]']);
    assert.equal(r.code, 0, r.stderr);
    const id = runIdOf(r);
    const s0 = await statusJson(e, id);
    assert.equal(s0.commitsAhead, 0, 'the run made no commits');
    const before = await repoFingerprint(repo);

    const m = await e.cli(['merge', id]);
    assert.equal(m.code, 0, m.stderr);
    assert.match(m.stdout, /^nothing to merge: run [0-9a-f]{12} made no changes/m);
    assert.doesNotMatch(m.stdout + m.stderr, /merged .* as /, 'never claims a merge');

    const j = await e.cli(['merge', id, '--json']);
    assert.equal(j.code, 0, j.stderr);
    const out = JSON.parse(j.stdout) as Record<string, unknown>;
    assert.equal(out.merged, false);
    assert.equal(out.commit, null);
    assert.match(String(out.reason), /made no changes/);
    assert.equal(out.into, 'main');
    assert.ok(!j.stdout.includes('modelToken'));

    const s = await statusJson(e, id);
    assert.equal(s.mergedAt, null, 'no mergedAt for a merge that did not happen');
    assert.equal(s.mergeSha, null);
    assert.deepEqual(await mergeNotes(e, id), [], 'no "merged into" note');
    assert.deepEqual(await repoFingerprint(repo), before, 'the repo is untouched');

    const d = await e.cli(['diff', id, '--json']);
    assert.equal(d.code, 0, d.stderr);
    assert.deepEqual(JSON.parse(d.stdout), {
      run: id,
      branch: s.branch,
      base: s.baseSha,
      files: [],
      total: { files: 0, added: 0, deleted: 0 },
      // What finalize found: nothing, in an honest run.
      findings: { removed: [], leftOut: [], outsideSymlinks: [], restamped: 0, authorFlags: [], maxFileBytes: 100 * 1024 * 1024 },
      patch: '',
    });
  });

  it('merging twice: the second says it is already merged and records nothing new', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    e.model.script('edit-two', ({ cwd }) => [
      { tools: [{ name: 'Write', input: { file_path: `${cwd}/added.txt`, content: 'a\nb\n' } }] },
      { tools: [{ name: 'Write', input: { file_path: `${cwd}/src/main.txt`, content: 'one\nTWO\n' } }] },
      { text: 'edited' },
    ]);
    const r = await e.cli(['spawn', '--repo', repo, '--branch', 'feat/two', '--task', 'Edit [[script:edit-two]]']);
    assert.equal(r.code, 0, r.stderr);
    const id = runIdOf(r);

    const d = await e.cli(['diff', id, '--json']);
    assert.equal(d.code, 0, d.stderr);
    const diff = JSON.parse(d.stdout) as { files: { path: string; status: string; added: number; deleted: number; binary: boolean }[]; total: unknown; patch: string };
    assert.deepEqual(
      diff.files.sort((a, b) => a.path.localeCompare(b.path)),
      [
        { path: 'added.txt', status: 'added', added: 2, deleted: 0, binary: false },
        { path: 'src/main.txt', status: 'modified', added: 1, deleted: 2, binary: false },
      ],
    );
    assert.deepEqual(diff.total, { files: 2, added: 3, deleted: 2 });
    assert.match(diff.patch, /^\+TWO$/m);
    const piped = await e.cli(['diff', id]);
    const base = String((await statusJson(e, id)).baseSha);
    assert.equal(piped.stdout.trimEnd(), await git(repo, 'diff', '--no-color', '--binary', '--find-renames', `${base}...feat/two`, '--'), 'into a pipe, the patch is exact');
    const stat = JSON.parse((await e.cli(['diff', id, '--json', '--stat'])).stdout) as Record<string, unknown>;
    assert.equal(stat.patch, undefined, '--stat leaves the patch out');

    const first = await e.cli(['merge', id, '--json']);
    assert.equal(first.code, 0, first.stderr);
    const m1 = JSON.parse(first.stdout) as Record<string, unknown>;
    assert.equal(m1.merged, true);
    assert.equal(m1.commit, await git(repo, 'rev-parse', 'main'));
    assert.equal(m1.reason, null);
    const s1 = await statusJson(e, id);
    assert.equal(s1.mergeSha, m1.commit);
    const head = await git(repo, 'rev-parse', 'main');

    const second = await e.cli(['merge', id]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^nothing to merge: run [0-9a-f]{12} was already merged \(as [0-9a-f]{10}\); main has its changes/m);
    const again = JSON.parse((await e.cli(['merge', id, '--json'])).stdout) as Record<string, unknown>;
    assert.equal(again.merged, false);
    const s2 = await statusJson(e, id);
    assert.equal(s2.mergedAt, s1.mergedAt, 'the first merge stays the one recorded');
    assert.equal(s2.mergeSha, s1.mergeSha);
    assert.equal((await mergeNotes(e, id)).length, 1, 'one note, for the one merge');
    assert.equal(await git(repo, 'rev-parse', 'main'), head, 'main did not move');
  });

  it('doctor --json and image build --json put their result on stdout as JSON', async (t) => {
    const e = await paddockEnv(t);
    const d = await e.cli(['doctor', '--json']);
    const checks = JSON.parse(d.stdout) as { name: string; status: string }[];
    assert.equal(checks.find((c) => c.name === 'engine')?.status, 'ok', d.stdout);
    const first = await e.cli(['image', 'build', '--json']); // builds it if missing
    assert.equal(first.code, 0, first.stderr);
    const b = await e.cli(['image', 'build', '--json']);
    assert.equal(b.code, 0, b.stderr);
    const built = JSON.parse(b.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(built).sort(), ['built', 'seconds', 'tag']);
    assert.equal(built.tag, 'localhost/paddock-agent:latest');
    assert.equal(built.built, false, 'the second build finds it up to date');
    assert.equal(typeof built.seconds, 'number');
    assert.match(b.stderr, /is up to date/, 'progress stays on stderr');
  });
});
