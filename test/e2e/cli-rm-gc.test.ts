import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { git, leftovers, makeRepo, paddockEnv, runIdOf, statusJson } from './harness.ts';

const branches = async (repo: string) => (await git(repo, 'branch', '--list', '--format=%(refname:short)')).split('\n').filter(Boolean).sort();

describe('rm and gc of finished runs', () => {
  it("rm removes a finished run's record, checkout, container and (with --branch) its branch, and only that", async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const one = runIdOf(await e.cli(['spawn', '--repo', repo, '--branch', 'rm/one', '--task', 'One [[script:write-file one]]']));
    const two = runIdOf(await e.cli(['spawn', '--repo', repo, '--branch', 'rm/two', '--task', 'Two [[script:write-file two]]']));
    const s1 = await statusJson(e, one);
    assert.equal(s1.state, 'completed');
    assert.ok(existsSync(String(s1.checkoutDir)));

    const r = await e.cli(['rm', one]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^removed run ${one}: record, checkout and logs \\(\\d.* (KiB|MiB)\\), container · branch rm/one: kept`, 'm'));
    assert.ok(!existsSync(join(e.home, 'runs', one)), 'run directory gone');
    assert.equal((await e.cli(['status', one])).code, 3, 'record gone');
    assert.deepEqual(await branches(repo), ['main', 'rm/one', 'rm/two'], 'without --branch the branch stays');
    assert.ok(!(await leftovers(e)).containers.includes(String(s1.containerName)));

    // --branch deletes the run branch, but not one that moved since the run left it.
    await git(repo, 'branch', '-f', 'rm/two', 'main');
    const moved = await e.cli(['rm', two, '--branch']);
    assert.equal(moved.code, 4, moved.stderr);
    assert.match(moved.stderr, /branch "rm\/two" has moved since Paddock created it/);
    assert.equal((await statusJson(e, two)).state, 'completed', 'nothing removed when the branch is refused');
    await git(repo, 'branch', '-f', 'rm/two', String((await statusJson(e, two)).headSha));
    const j = await e.cli(['rm', two.slice(0, 6), '--branch', '--json']);
    assert.equal(j.code, 0, j.stderr);
    const removed = JSON.parse(j.stdout) as { id: string; bytes: number; container: string; branch: { name: string; deleted: boolean } }[];
    assert.equal(removed.length, 1);
    assert.equal(removed[0]!.id, two);
    assert.ok(removed[0]!.bytes > 0);
    assert.equal(removed[0]!.container, 'removed');
    assert.deepEqual(removed[0]!.branch, { name: 'rm/two', deleted: true, note: `deleted from ${repo}` });
    assert.deepEqual(await branches(repo), ['main', 'rm/one']);
    assert.deepEqual(JSON.parse((await e.cli(['ls', '--all', '--json'])).stdout), []);
    const unknown = await e.cli(['rm', 'abcdef123456']);
    assert.equal(unknown.code, 3);
  });

  it("gc --merged deletes merged run branches (only Paddock's, as left), --older-than forgets old runs, --dry-run shows sizes", async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const spawn = async (branch: string, arg: string, extra: string[] = []) => {
      const r = await e.cli(['spawn', '--repo', repo, '--branch', branch, ...extra, '--task', `Work [[script:write-file ${arg}]]`]);
      assert.equal(r.code, 0, r.stderr);
      return runIdOf(r);
    };
    const viaPaddock = await spawn('gc/merged-by-paddock', 'a');
    assert.equal((await e.cli(['merge', viaPaddock])).code, 0);
    const viaGit = await spawn('gc/merged-by-git', 'b');
    await git(repo, 'merge', '-q', '--no-edit', '-X', 'theirs', 'gc/merged-by-git');
    const unmerged = await spawn('gc/unmerged', 'c');
    // A user branch, merged, that no run made; and a run that continued on it (--reuse-branch): never gc's to delete.
    await git(repo, 'branch', 'user/topic', 'main');
    const reused = await spawn('user/topic', 'd', ['--reuse-branch']);
    await git(repo, 'merge', '-q', '--no-edit', '-X', 'theirs', 'user/topic');
    const checkedOut = await spawn('gc/checked-out', 'e');
    await git(repo, 'merge', '-q', '--no-edit', '-X', 'theirs', 'gc/checked-out');
    const wt = join(repo, '..', `wt-${e.instance()}`);
    await git(repo, 'worktree', 'add', '-q', wt, 'gc/checked-out');
    t.after(() => git(repo, 'worktree', 'remove', '--force', wt).catch(() => {}));
    const before = await branches(repo);

    const dry = await e.cli(['gc', '--merged', '--dry-run', '--json']);
    assert.equal(dry.code, 0, dry.stderr);
    const plan = JSON.parse(dry.stdout) as { dryRun: boolean; items: { kind: string; name: string; why: string; bytes?: number }[]; totalBytes: number };
    assert.equal(plan.dryRun, true);
    const planned = plan.items
      .filter((i) => i.kind === 'branch')
      .map((i) => i.name.split(' ')[0])
      .sort();
    assert.deepEqual(planned, ['gc/merged-by-git', 'gc/merged-by-paddock']);
    const checkouts = plan.items.filter((i) => i.kind === 'checkout');
    assert.ok(checkouts.length >= 2 && checkouts.every((i) => typeof i.bytes === 'number' && i.bytes > 0), JSON.stringify(checkouts));
    assert.equal(
      plan.totalBytes,
      plan.items.reduce((n, i) => n + (i.bytes ?? 0), 0),
    );
    assert.deepEqual(await branches(repo), before, 'a dry run deletes nothing');
    const human = await e.cli(['gc', '--merged', '--dry-run']);
    assert.match(human.stdout, /^would remove\s+branch\s+gc\/merged-by-paddock .*\s+run [0-9a-f]{12} merged as [0-9a-f]{10}$/m);
    assert.match(human.stdout, /^would remove\s+checkout\s+\S+\/src\s+\d+(\.\d)? (KiB|MiB)\s+/m);
    assert.match(human.stderr, /would free \d+(\.\d)? (KiB|MiB) on disk/);

    const real = await e.cli(['gc', '--merged']);
    assert.equal(real.code, 0, real.stderr);
    assert.deepEqual(
      await branches(repo),
      before.filter((b) => !['gc/merged-by-git', 'gc/merged-by-paddock'].includes(b)),
    );
    for (const id of [viaPaddock, viaGit]) assert.ok(!existsSync(join(e.home, 'runs', id, 'src')), `checkout of ${id} removed`);
    for (const id of [unmerged, reused, checkedOut]) assert.ok(existsSync(join(e.home, 'runs', id, 'src')), `checkout of ${id} kept`);
    assert.equal((await statusJson(e, viaGit)).state, 'completed', 'records stay: --merged only removes branches');

    // --older-than: runs that ended long enough ago lose their checkout and record; newer ones stay.
    const db = new DatabaseSync(join(e.home, 'paddock.db'));
    db.prepare('UPDATE runs SET finished_at = finished_at - ? WHERE id IN (?, ?)').run(8 * 86_400_000, unmerged, viaGit);
    db.close();
    const old = await e.cli(['gc', '--older-than', '7d', '--dry-run']);
    assert.match(old.stdout, new RegExp(`^would remove\\s+run\\s+${unmerged}\\s+\\d.*(KiB|MiB)\\s+completed 8d ago: checkout and record$`, 'm'));
    assert.ok(existsSync(join(e.home, 'runs', unmerged)));
    const gone = await e.cli(['gc', '--older-than', '7d', '--json']);
    assert.equal(gone.code, 0, gone.stderr);
    const goneItems = (JSON.parse(gone.stdout) as { items: { kind: string; name: string }[] }).items
      .filter((i) => i.kind === 'run')
      .map((i) => i.name)
      .sort();
    assert.deepEqual(goneItems, [unmerged, viaGit].sort());
    for (const id of [unmerged, viaGit]) {
      assert.equal((await e.cli(['status', id])).code, 3, `record of ${id} gone`);
      assert.ok(!existsSync(join(e.home, 'runs', id)));
    }
    assert.ok(await branches(repo).then((b) => b.includes('gc/unmerged')), '--older-than leaves branches alone');
    for (const id of [reused, checkedOut, viaPaddock]) assert.equal((await statusJson(e, id)).state, 'completed');
    assert.equal((await e.cli(['gc', '--older-than', 'later'])).code, 2);
  });
});
