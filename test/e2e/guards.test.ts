/** What Paddock refuses, clearly: limits past the maximum, a branch or a conversation two live runs would share, a named engine that is not there. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { leftovers, makeRepo, paddockEnv, runIds, statusJson, type CliResult } from './harness.ts';

describe('guards', () => {
  it('refuses a timeout above the maximum (600h would overflow a timer and time out at once) and creates nothing', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const r = await e.cli(['spawn', '--repo', repo, '--timeout', '600h', '--task', 'x [[script:hello]]']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /timeout 25d is above the longest allowed, 7d/);
    assert.match(r.stderr, /PADDOCK_MAX_TIMEOUT/);
    assert.deepEqual(runIds(e.home), []);
  });

  it('two spawns at the same moment on one branch: one runs, the other gets CONFLICT naming it', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    for (let round = 0; round < 3; round++) {
      const args = ['spawn', '--repo', repo, '--branch', `race/${round}`, '--detach', '--task', 'Wait [[script:slow 60]]'];
      const results: CliResult[] = await Promise.all([e.cli(args), e.cli(args)]);
      const ok = results.filter((r) => r.code === 0);
      const refused = results.filter((r) => r.code !== 0);
      assert.equal(ok.length, 1, results.map((r) => `${r.code} ${r.stderr}`).join('\n'));
      assert.equal(refused[0]?.code, 4, refused[0]?.stderr);
      assert.match(refused[0]?.stderr ?? '', new RegExp(`branch race/${round} is in use by run ${ok[0]!.stdout.trim()}`));
    }
    for (const id of runIds(e.home)) await e.cli(['stop', '--no-wait', id]);
  });

  it('a second live run on the conversation of a live run is refused, naming that run', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const a = (await e.cli(['spawn', '--repo', repo, '--detach', '--task', 'Wait [[script:slow 60]]'])).stdout.trim();
    for (const ref of [a, String((await statusJson(e, a)).sessionId)]) {
      const b = await e.cli(['spawn', '--repo', repo, '--session', ref, '--detach', '--task', 'Also [[script:hello]]']);
      assert.equal(b.code, 4, b.stderr);
      assert.match(b.stderr, new RegExp(`in use by run ${a}`));
      const resume = await e.cli(['resume', a, '--detach', '--task', 'More [[script:hello]]']);
      assert.equal(resume.code, 4, resume.stderr);
    }
    assert.equal(runIds(e.home).length, 1);
    await e.cli(['stop', a]);
  });

  for (const name of ['DOCKER_HOST', 'CONTAINER_HOST']) {
    it(`${name} naming a socket that does not answer is the "no engine" error (exit 5), not a silent fallback`, async (t) => {
      const e = await paddockEnv(t, { PADDOCK_ENGINE_SOCKET: '', [name]: 'unix:///nonexistent/engine.sock' });
      const repo = await makeRepo(t);
      const r = await e.cli(['spawn', '--repo', repo, '--task', 'x [[script:hello]]']);
      assert.equal(r.code, 5, r.stderr);
      assert.match(r.stderr, new RegExp(`${name}=unix:///nonexistent/engine.sock`));
      const d = await e.cli(['doctor']);
      assert.equal(d.code, 1);
      assert.match(d.stdout, /engine: .*nonexistent/);
    });
  }

  it('nothing is left behind by refused spawns', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    await e.cli(['spawn', '--repo', repo, '--timeout', '8d', '--task', 'x']);
    assert.deepEqual(runIds(e.home), []);
    const l = await leftovers(e).catch(() => ({ containers: [], volumes: [] }));
    assert.deepEqual(l, { containers: [], volumes: [] });
  });
});
