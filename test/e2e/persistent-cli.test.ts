/** A persistent run from the CLI: spawn --keep-alive stops following when the agent waits; send gets its answer. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeRepo, paddockEnv, runIdOf, statusJson, until } from './harness.ts';

describe('paddock spawn --keep-alive and paddock send', () => {
  it('the first turn ends with the run idle; two sends each print their answer; stop ends it with its branch back', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const first = await e.cli(['spawn', '--repo', repo, '--keep-alive', '--task', 'Hello [[script:hello first answer]]']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /first answer/);
    assert.match(first.stderr, /waiting for a message: paddock send/);
    const id = runIdOf(first);
    assert.equal((await statusJson(e, id)).state, 'idle');
    for (const answer of ['second answer', 'third answer']) {
      const r = await e.cli(['send', id, `Again [[script:hello ${answer}]]`]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(answer));
    }
    const main = e.model.mainRequests('hello');
    assert.ok(JSON.stringify(main.at(-1)?.body).includes('first answer'), 'the third turn carried the whole conversation');
    await until(async () => (await statusJson(e, id)).state === 'idle', 'the run to wait again', 60_000, 200);
    const stop = await e.cli(['stop', id]);
    assert.equal(stop.code, 0, stop.stderr);
    const s = await statusJson(e, id);
    assert.ok(['completed', 'cancelled'].includes(s.state), s.state);
    const bad = await e.cli(['send', id, 'too late']);
    assert.equal(bad.code, 4, bad.stderr);
  });
});
