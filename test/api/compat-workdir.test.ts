/**
 * Where a Stromboli run works, by its `workdir` (real daemon, engine, CLI and git): none → an empty scratch
 * directory (nothing comes back); a directory in a git repository → its own clone and branch, the user's checkout
 * untouched; a plain directory → refused, unless it is under PADDOCK_WORKDIR_ROOTS, then mounted as it is.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, existsSync, chownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { git, makeRepo, repoFingerprint } from '../e2e/harness.ts';
import { startDaemon } from './harness.ts';
import { assertMatches } from './stromboli-swagger.ts';

function plainDir(t: { after: (fn: () => void) => void }, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('Stromboli face: workdir', () => {
  it('no workdir: an empty scratch workspace; nothing comes back, and no branch is made anywhere', async (t) => {
    const d = await startDaemon(t);
    const r = await d.json('POST', '/run', { prompt: 'Look [[script:bash ls -A /workspace | wc -l; pwd]]' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const runId = r.body.id.slice(4);
    const run = (await d.json('GET', `/api/v1/runs/${runId}`)).body.run;
    assert.equal(run.workspace, 'scratch');
    assert.equal(run.branch, '');
    assert.equal(run.bringBack, false);
    const events = (await d.json('GET', `/api/v1/runs/${runId}/events?limit=1000`)).body.events as { kind: string; data: { content?: string } }[];
    const out = events.find((e) => e.kind === 'tool_result')?.data.content ?? '';
    assert.match(out, /^0\n\/workspace/, `an empty /workspace: ${out}`);
    // "/workspace" is what Stromboli 0.3+ clients send (the path inside the container): the same scratch workspace.
    const inside = await d.json('POST', '/run', { prompt: 'Hi [[script:hello]]', workdir: '/workspace' });
    assert.equal(inside.status, 200, JSON.stringify(inside.body));
  });

  it("a workdir in a git repository: a private clone and branch (as paddock spawn), the user's checkout untouched", async (t) => {
    const d = await startDaemon(t);
    const repo = await makeRepo(t);
    const before = await repoFingerprint(repo);
    const r = await d.json('POST', '/run/async', { prompt: 'Write it [[script:write-file from stromboli]]', workdir: join(repo, 'src') });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    const runId = r.body.job_id.slice(4);
    const run = await (async () => {
      for (;;) {
        const s = (await d.json('GET', `/api/v1/runs/${runId}`)).body.run;
        if (['completed', 'failed', 'cancelled', 'timed_out', 'crashed'].includes(s.state)) return s;
        await new Promise((res) => setTimeout(res, 300));
      }
    })();
    assert.equal(run.state, 'completed', run.reason);
    assert.equal(run.workspace, 'clone');
    assert.match(run.branch, /^paddock\//);
    assert.equal(await git(repo, 'show', `${run.branch}:hello.txt`), 'from stromboli');
    const after = await repoFingerprint(repo);
    assert.deepEqual({ ...after, refs: '' }, { ...before, refs: '' }, 'nothing but the new branch changed');
    assert.ok(!existsSync(join(repo, 'hello.txt')), "the user's working tree is not touched");

    // Continuing the session on the same repository continues on the run's branch: the agent sees its own work.
    const cont = await d.json('POST', '/run', { prompt: 'Show it [[script:bash cat hello.txt]]', workdir: repo, claude: { session_id: r.body.session_id, resume: true } });
    assert.equal(cont.status, 200, JSON.stringify(cont.body));
    const next = (await d.json('GET', `/api/v1/runs/${cont.body.id.slice(4)}`)).body.run;
    assert.equal(next.branch, run.branch);
    const events = (await d.json('GET', `/api/v1/runs/${next.id}/events?limit=1000`)).body.events as { kind: string; data: { content?: string } }[];
    assert.equal(events.find((e) => e.kind === 'tool_result')?.data.content?.trim(), 'from stromboli');
  });

  it('a plain directory is refused (400, naming PADDOCK_WORKDIR_ROOTS) unless it is under an allowed root; then it is mounted as it is', async (t) => {
    const plain = plainDir(t, 'paddock-plain-');
    const off = await startDaemon(t);
    for (const path of ['/run', '/run/async']) {
      const r = await off.json('POST', path, { prompt: 'x', workdir: plain });
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assertMatches('internal_api.RunResponse', r.body);
      assert.equal(r.body.id, '');
      assert.equal(r.body.status, 'error');
      assert.match(r.body.error, /not in a git repository.*PADDOCK_WORKDIR_ROOTS/);
    }
    for (const [workdir, message] of [
      ['/does/not/exist', /does not exist/],
      ['relative/dir', /not an absolute path/],
      [join(plain, 'file.txt'), /does not exist|not a directory/],
    ] as const) {
      const r = await off.json('POST', '/run', { prompt: 'x', workdir });
      assert.equal(r.status, 400, `${workdir}: ${JSON.stringify(r.body)}`);
      assert.match(r.body.error, message);
    }
    assert.equal((await off.json('GET', '/jobs')).body.jobs.length, 0, 'nothing was started');

    const root = plainDir(t, 'paddock-roots-');
    const allowed = join(root, 'project');
    mkdirSync(allowed);
    writeFileSync(join(allowed, 'notes.txt'), "the user's file\n");
    chownSync(allowed, 1000, 1000); // its owner gets it back when the run ends (the run writes as its own UID)
    symlinkSync(plain, join(root, 'escape'));
    const d = await startDaemon(t, { PADDOCK_WORKDIR_ROOTS: `${root},/nonexistent-root` });
    const r = await d.json('POST', '/run', { prompt: 'Write it [[script:write-file mounted]]', workdir: allowed });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(readFileSync(join(allowed, 'hello.txt'), 'utf8'), 'mounted', 'written straight into the directory');
    assert.equal(readFileSync(join(allowed, 'notes.txt'), 'utf8'), "the user's file\n");
    assert.deepEqual([statSync(join(allowed, 'hello.txt')).uid, statSync(allowed).uid], [1000, 1000], 'handed back to its owner');
    const run = (await d.json('GET', `/api/v1/runs/${r.body.id.slice(4)}`)).body.run;
    assert.equal(run.workspace, 'mount');
    assert.equal(run.branch, '');
    assert.equal(run.checkoutDir, null);

    // A symlink under the root that points outside it is judged by where it points; so is PADDOCK_HOME.
    const escaped = await d.json('POST', '/run', { prompt: 'x', workdir: join(root, 'escape') });
    assert.equal(escaped.status, 400);
    assert.match(escaped.body.error, /not under an allowed root/);
    const home = await startDaemon(t, { PADDOCK_WORKDIR_ROOTS: tmpdir() });
    const intoHome = await home.json('POST', '/run', { prompt: 'x', workdir: join(home.e.home, 'runs') });
    assert.equal(intoHome.status, 400, JSON.stringify(intoHome.body));
    assert.match(intoHome.body.error, /Paddock's home/);
  });
});
