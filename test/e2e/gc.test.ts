import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { leftovers, makeRepo, paddockEnv, runIdOf, statusJson } from './harness.ts';

describe('gc', () => {
  it('removes everything this Paddock created (by label), and nothing else', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const feature = await e.cli(['spawn', '--repo', repo, '--task', 'Feature [[script:write-file]]']);
    const explore = await e.cli(['spawn', '--repo', repo, '--type', 'explore', '--task', 'Look [[script:hello]]']);
    const [fid, xid] = [feature, explore].map((r) => runIdOf(r));
    assert.equal((await statusJson(e, fid!)).state, 'completed');
    assert.equal((await e.cli(['merge', fid!])).code, 0);

    // Not ours: an unlabelled container, and one of another Paddock home. An orphan of ours: no run owns it.
    const mk = async (name: string, labels: Record<string, string>) => {
      const c = await e.engine.createContainer({ name, Image: 'localhost/paddock-base:bookworm', Cmd: ['true'], Labels: labels });
      t.after(() => c.remove({ force: true }).catch(() => {}));
      return c.id;
    };
    const suffix = e.instance();
    const foreign = await mk(`not-paddock-${suffix}`, {});
    const otherHome = await mk(`other-home-${suffix}`, { 'dev.paddock.managed': 'true', 'dev.paddock.instance': 'someoneelse', 'dev.paddock.run': 'ffffffffffff' });
    await mk(`orphan-${suffix}`, { 'dev.paddock.managed': 'true', 'dev.paddock.instance': suffix, 'dev.paddock.run': 'deadbeef0000' });

    const dry = await e.cli(['gc', '--dry-run', '--sessions']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /would remove/);
    assert.equal((await leftovers(e)).containers.length, 3, 'dry run removed nothing');

    const r = await e.cli(['gc', '--sessions']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /no run owns it/);
    assert.deepEqual(await leftovers(e), { containers: [], volumes: [] });
    for (const id of [fid!, xid!]) assert.ok(!existsSync(join(e.home, 'runs', id, 'src')), `checkout of ${id} removed`);
    assert.ok(await e.engine.getContainer(foreign).inspect());
    assert.ok(await e.engine.getContainer(otherHome).inspect());
    // The merged branch's history is in the user's repo; gc never deletes user branches.
    const again = await e.cli(['gc']);
    assert.match(again.stderr, /nothing to remove/);
  });
});
