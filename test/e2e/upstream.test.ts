/** A model endpoint that does not answer: doctor says so, and a run fails fast with the reason instead of waiting minutes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deadPort, eventsJson, makeRepo, paddockEnv, runIdOf, statusJson } from './harness.ts';

describe('model endpoint', () => {
  it('doctor reaches it the way the relay does: a dead one fails, a live one (even answering 404) passes', async (t) => {
    const port = await deadPort();
    const dead = await paddockEnv(t, { PADDOCK_ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}` });
    const d = await dead.cli(['doctor']);
    assert.equal(d.code, 1, d.stdout);
    assert.match(d.stdout, new RegExp(`model endpoint: http://127.0.0.1:${port}/? is unreachable: connection refused`));
    const live = await paddockEnv(t);
    const ok = await live.cli(['doctor']);
    assert.match(ok.stdout, /✔ model endpoint: .* answers \(HTTP 404\)/);
    assert.ok(
      live.model.requests.some((r) => r.path === '/v1/models' && r.headers['x-api-key'] !== undefined),
      'the probe carried the real credential, as the relay does',
    );
  });

  it('a run whose endpoint keeps failing ends failed with the reason, with each failure in its log', async (t) => {
    const port = await deadPort();
    const e = await paddockEnv(t, { PADDOCK_ANTHROPIC_BASE_URL: `http://127.0.0.1:${port}`, PADDOCK_UPSTREAM_FAIL_AFTER: '3s' });
    const repo = await makeRepo(t);
    const started = Date.now();
    const r = await e.cli(['spawn', '--repo', repo, '--task', 'x [[script:hello]]']);
    const elapsed = Date.now() - started;
    assert.equal(r.code, 1, r.stderr);
    const s = await statusJson(e, runIdOf(r));
    assert.equal(s.state, 'failed');
    assert.match(String(s.reason), /^model endpoint unreachable: connection refused \(127\.0\.0\.1:\d+\)$/);
    assert.ok(elapsed < 60_000, `ended after ${elapsed} ms, not after the CLI's ~3 minutes of retries`);
    const notes = (await eventsJson(e, runIdOf(r))).filter((ev) => ev.kind === 'note' && /model endpoint unreachable/.test(String(ev.data.message)));
    assert.ok(notes.length >= 2, `each failure is a note: ${notes.length}`);
    assert.match(String(notes.at(-1)?.data.message), /ending the run/);
  });
});
