/** Stromboli's /secrets and Paddock's /api/v1/secrets against a real daemon: status codes, body shapes, no value out. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startDaemon } from '../api/harness.ts';

describe('secrets over the API', () => {
  it("Stromboli's /secrets: list, create 201/409/400, metadata or 404, delete or 404; never a value", async (t) => {
    const d = await startDaemon(t);
    const VALUE = 'ghp_apiSecretValue123456';
    assert.deepEqual((await d.json('GET', '/secrets')).body, { secrets: [] });
    const created = await d.json('POST', '/secrets', { name: 'github-token', value: VALUE });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body, { success: true, name: 'github-token' });
    const again = await d.json('POST', '/secrets', { name: 'github-token', value: 'x' });
    assert.equal(again.status, 409);
    assert.deepEqual(again.body, { success: false, name: 'github-token', error: 'secret already exists' });
    const missing = await d.json('POST', '/secrets', { name: 'x' });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.success, false);
    const badName = await d.json('POST', '/secrets', { name: '../x', value: 'v' });
    assert.equal(badName.status, 400);

    const list = await d.json('GET', '/secrets');
    assert.equal(list.status, 200);
    assert.equal(list.body.secrets.length, 1);
    assert.deepEqual(Object.keys(list.body.secrets[0]).sort(), ['created_at', 'id', 'name']);
    assert.match(list.body.secrets[0].created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
    const info = await d.json('GET', '/secrets/github-token');
    assert.equal(info.status, 200);
    assert.equal(info.body.name, 'github-token');
    assert.deepEqual((await d.json('GET', '/secrets/nope')).body, { error: 'secret not found' });
    assert.equal((await d.json('GET', '/secrets/nope')).status, 404);

    // Paddock's face: metadata only, PUT replaces.
    const native = await d.json('GET', '/api/v1/secrets');
    assert.equal(native.body.secrets[0].name, 'github-token');
    const put = await d.json('PUT', '/api/v1/secrets/github-token', { value: 'ghp_replacedValue987654' });
    assert.equal(put.status, 200);
    assert.equal(put.body.replaced, true);
    assert.equal(put.body.secret.id, info.body.id);
    for (const r of [list, info, native, put, created]) assert.ok(!JSON.stringify(r.body).includes(VALUE) && !JSON.stringify(r.body).includes('ghp_replaced'));

    const del = await d.json('DELETE', '/secrets/github-token');
    assert.deepEqual([del.status, del.body], [200, { success: true, name: 'github-token' }]);
    const del2 = await d.json('DELETE', '/secrets/github-token');
    assert.deepEqual([del2.status, del2.body], [404, { success: false, name: 'github-token', error: 'secret not found' }]);
    assert.equal((await d.json('DELETE', '/api/v1/secrets/github-token')).status, 404);
  });

  it('a run naming an unknown secret, or a blocked variable, is refused before anything is made', async (t) => {
    const d = await startDaemon(t);
    const unknown = await d.json('POST', '/api/v1/runs', { workspace: 'scratch', task: 'x', secretsEnv: { GH_TOKEN: 'nope' } });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.error.message, /secretsEnv\.GH_TOKEN: there is no secret named nope/);
    const blocked = await d.json('POST', '/api/v1/runs', { workspace: 'scratch', task: 'x', secretsEnv: { LD_PRELOAD: 'x' } });
    assert.equal(blocked.status, 403);
    assert.match(blocked.body.error.message, /refused by policy \(secrets-env\)/);
    const compat = await d.json('POST', '/run/async', { prompt: 'x', podman: { secrets_env: { GH_TOKEN: 'nope' } } });
    assert.equal(compat.status, 400);
    assert.match(compat.body.error, /no secret named nope/);
    assert.deepEqual((await d.json('GET', '/api/v1/runs')).body.runs, []);
  });
});
