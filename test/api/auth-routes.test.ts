/**
 * Auth and rate limiting in-process (app.request on createApi, a real SQLite home; no engine is touched): Stromboli's
 * /auth routes with their exact shapes, statuses and messages, the guard on both faces, the unix socket trusted,
 * expiry with a fake clock, and the 429 with its headers.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { SignJWT } from 'jose';
import { createApi, createGuards, registerAuthRoutes } from '../../src/api/index.ts';
import { compatErrorResponse } from '../../src/api/compat/errors.ts';
import { rateLimitGuard } from '../../src/api/guards/index.ts';
import { Authenticator, loadConfig, openPaddock, TokenBucket } from '../../src/app/index.ts';

const SECRET = 'a-test-secret-that-is-at-least-32-chars-long';
const STATIC = 'static-token-one';
const quiet = { info() {}, warn() {}, error() {} };

function setup(t: TestContext, env: Record<string, string>, opts: { now?: () => number; bucket?: TokenBucket } = {}) {
  const home = mkdtempSync(join(tmpdir(), 'paddock-auth-'));
  const config = loadConfig({ PADDOCK_HOME: home, ...env });
  const p = openPaddock(config);
  const auth = new Authenticator(p, opts.now);
  const shutdown = new AbortController();
  const guards = opts.bucket ? [rateLimitGuard({ bucket: opts.bucket, auth }), ...createGuards({ ...config, rateLimitEnabled: false }, auth)] : createGuards(config, auth);
  const app = createApi({
    p,
    shutdown: shutdown.signal,
    log: quiet,
    version: 'test',
    guards,
    extraRoutes: [(a) => registerAuthRoutes(a, auth)],
    errorResponse: compatErrorResponse,
    system: { info: () => ({ pid: process.pid, version: 'test', startedAt: 0, socket: '', tcp: null }), requestStop: () => {} },
  });
  t.after(async () => {
    shutdown.abort();
    await p.close();
    rmSync(home, { recursive: true, force: true });
  });
  const call = async (method: string, path: string, o: { token?: string; header?: string; body?: unknown; unix?: boolean } = {}) => {
    const headers: Record<string, string> = {};
    if (o.header !== undefined) headers.authorization = o.header;
    else if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    const res = await app.request(
      path,
      { method, headers, ...(o.body === undefined ? {} : { body: typeof o.body === 'string' ? o.body : JSON.stringify(o.body) }) },
      o.unix ? { transport: 'unix' } : { transport: 'tcp' },
    );
    const text = await res.text();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* text */
    }
    return { status: res.status, body, headers: res.headers };
  };
  return { call, auth, p };
}

const AUTH_ON = { PADDOCK_AUTH_ENABLED: 'true', PADDOCK_API_TOKENS: `${STATIC},another-token`, PADDOCK_JWT_SECRET: SECRET };

describe('auth guard', () => {
  it("TCP needs a token on both faces, with Stromboli's messages; the unix socket and the docs need none", async (t) => {
    const { call } = setup(t, AUTH_ON);
    const none = await call('GET', '/api/v1/runs');
    assert.equal(none.status, 401);
    assert.deepEqual(none.body.error.code, 'UNAUTHORIZED');
    assert.equal(none.body.error.message, 'missing authorization header');
    assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.equal((await call('GET', '/api/v1/runs', { header: 'Basic abc' })).body.error.message, 'invalid authorization header format');
    assert.equal((await call('GET', '/api/v1/runs', { header: 'Bearer' })).body.error.message, 'invalid authorization header format');
    assert.equal((await call('GET', '/api/v1/runs', { token: 'wrong' })).body.error.message, 'invalid or expired token');
    assert.equal((await call('GET', '/api/v1/runs', { token: STATIC })).status, 200);
    assert.equal((await call('GET', '/api/v1/runs', { header: `BEARER ${STATIC}` })).status, 200, 'the scheme in any case');
    assert.equal((await call('GET', '/api/v1/runs', { token: 'another-token' })).status, 200);
    assert.equal((await call('GET', '/api/v1/runs', { unix: true })).status, 200, 'the socket is trusted');
    // Stromboli's face gets Stromboli's body: {"error": "<message>"} (a route the compat engineer adds, or the 404)
    const compat = await call('GET', '/jobs');
    assert.equal(compat.status, 401);
    assert.deepEqual(compat.body, { error: 'missing authorization header' });
    assert.equal((await call('GET', '/openapi.json')).status, 200);
    assert.equal((await call('GET', '/docs')).status, 200);
  });

  it('with auth off, TCP needs nothing', async (t) => {
    const { call } = setup(t, {});
    assert.equal((await call('GET', '/api/v1/runs')).status, 200);
  });
});

describe('Stromboli /auth routes', () => {
  it('token → use → validate → refresh → logout → 401, refresh tokens of the family too', async (t) => {
    const { call } = setup(t, AUTH_ON);
    assert.deepEqual(await call('POST', '/auth/token', { body: { client_id: 'ci' } }).then((r) => [r.status, r.body]), [401, { error: 'missing authorization header' }]);
    assert.deepEqual(await call('POST', '/auth/token', { token: STATIC, body: {} }).then((r) => [r.status, r.body]), [400, { error: 'invalid request: client_id is required' }]);
    assert.equal((await call('POST', '/auth/token', { token: STATIC, body: '{nope' })).status, 400);
    assert.equal((await call('POST', '/auth/token', { token: STATIC, body: { client_id: 'x'.repeat(300) } })).status, 400);

    const issued = await call('POST', '/auth/token', { token: STATIC, body: { client_id: 'my-app' } });
    assert.equal(issued.status, 200);
    assert.deepEqual(Object.keys(issued.body), ['access_token', 'refresh_token', 'token_type', 'expires_in']);
    assert.equal(issued.body.token_type, 'bearer');
    assert.equal(issued.body.expires_in, 86400);
    const { access_token: access, refresh_token: refresh } = issued.body;

    assert.equal((await call('GET', '/api/v1/runs', { token: access })).status, 200);
    assert.equal((await call('GET', '/api/v1/runs', { token: refresh })).body.error.message, 'invalid or expired token', 'a refresh token is no access token');
    const v = await call('GET', '/auth/validate', { token: access });
    assert.equal(v.status, 200);
    assert.equal(v.body.valid, true);
    assert.equal(v.body.subject, 'my-app');
    assert.ok(Math.abs(v.body.expires_at - (Date.now() / 1000 + 86400)) < 5);
    assert.deepEqual((await call('GET', '/auth/validate', { token: STATIC })).body, { error: 'invalid or expired token' }, 'static tokens are not JWTs');
    assert.deepEqual((await call('GET', '/auth/validate')).body, { error: 'missing authorization header' });

    assert.deepEqual(await call('POST', '/auth/refresh', { body: { refresh_token: access } }).then((r) => [r.status, r.body]), [401, { error: 'invalid or expired refresh token' }]);
    assert.deepEqual(await call('POST', '/auth/refresh', { body: {} }).then((r) => [r.status, r.body]), [400, { error: 'invalid request: refresh_token is required' }]);
    const refreshed = await call('POST', '/auth/refresh', { body: { refresh_token: refresh } });
    assert.equal(refreshed.status, 200);
    assert.notEqual(refreshed.body.access_token, access);
    assert.equal((await call('GET', '/api/v1/runs', { token: refreshed.body.access_token })).status, 200);
    // A JWT may itself get tokens, as in Stromboli.
    assert.equal((await call('POST', '/auth/token', { token: refreshed.body.access_token, body: { client_id: 'other' } })).status, 200);

    assert.deepEqual(await call('POST', '/auth/logout', { token: STATIC }).then((r) => [r.status, r.body]), [401, { error: 'invalid or expired token' }]);
    const out = await call('POST', '/auth/logout', { token: access });
    assert.deepEqual([out.status, out.body], [200, { success: true, message: 'token invalidated' }]);
    assert.deepEqual((await call('GET', '/api/v1/runs', { token: access })).body.error.message, 'token revoked');
    assert.deepEqual((await call('GET', '/auth/validate', { token: access })).body, { error: 'token revoked' });
    assert.equal((await call('GET', '/api/v1/runs', { token: refreshed.body.access_token })).body.error.message, 'token revoked', 'the family is logged out');
    assert.equal((await call('POST', '/auth/refresh', { body: { refresh_token: refresh } })).status, 401);
    assert.equal((await call('POST', '/auth/refresh', { body: { refresh_token: refreshed.body.refresh_token } })).status, 401);
    assert.equal((await call('GET', '/api/v1/runs', { token: STATIC })).status, 200, 'static tokens are untouched');
  });

  it('expired access tokens are refused (fake clock); tokens of another algorithm or key are refused', async (t) => {
    let now = Date.now();
    const { call } = setup(t, { ...AUTH_ON, PADDOCK_JWT_EXPIRY: '1h' }, { now: () => now });
    const issued = await call('POST', '/auth/token', { token: STATIC, body: { client_id: 'c' } });
    assert.equal(issued.body.expires_in, 3600);
    assert.equal((await call('GET', '/api/v1/runs', { token: issued.body.access_token })).status, 200);
    now += 3601_000;
    assert.equal((await call('GET', '/api/v1/runs', { token: issued.body.access_token })).body.error.message, 'invalid or expired token');
    assert.equal((await call('POST', '/auth/refresh', { body: { refresh_token: issued.body.refresh_token } })).status, 200, 'the refresh token lasts longer');

    const key = new TextEncoder().encode(SECRET);
    const hs512 = await new SignJWT({}).setProtectedHeader({ alg: 'HS512' }).setSubject('x').setIssuedAt().setExpirationTime('1h').setJti('j').sign(key);
    assert.equal((await call('GET', '/api/v1/runs', { token: hs512 })).status, 401, 'HS256 only');
    const otherKey = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setIssuedAt()
      .setExpirationTime('1h')
      .setJti('j')
      .sign(new TextEncoder().encode('x'.repeat(40)));
    assert.equal((await call('GET', '/api/v1/runs', { token: otherKey })).status, 401);
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x","exp":9999999999}').toString('base64url')}.`;
    assert.equal((await call('GET', '/api/v1/runs', { token: unsigned })).status, 401);
  });

  it('answer 503 without a JWT secret (static tokens still work)', async (t) => {
    const { call } = setup(t, { PADDOCK_AUTH_ENABLED: 'true', PADDOCK_API_TOKENS: STATIC });
    assert.deepEqual(await call('POST', '/auth/token', { token: STATIC, body: { client_id: 'c' } }).then((r) => [r.status, r.body]), [503, { error: 'JWT authentication not configured' }]);
    assert.equal((await call('POST', '/auth/token', { body: { client_id: 'c' } })).status, 401, 'the guard first');
    for (const [m, path] of [
      ['POST', '/auth/refresh'],
      ['GET', '/auth/validate'],
      ['POST', '/auth/logout'],
    ] as const) {
      assert.equal((await call(m, path, { token: STATIC, ...(m === 'POST' ? { body: {} } : {}) })).status, 503, path);
    }
    assert.equal((await call('GET', '/api/v1/runs', { token: STATIC })).status, 200);
  });

  it('issue tokens to the unix socket without credentials', async (t) => {
    const { call } = setup(t, AUTH_ON);
    const r = await call('POST', '/auth/token', { unix: true, body: { client_id: 'local-tool' } });
    assert.equal(r.status, 200);
    assert.equal((await call('GET', '/api/v1/runs', { token: r.body.access_token })).status, 200);
  });
});

describe('rate limit guard', () => {
  it('gives every protected response the headers, 429 with Retry-After past the burst, per principal; /auth and the docs are not limited', async (t) => {
    let now = 1_700_000_000_000;
    const bucket = new TokenBucket({ rate: 1, burst: 2, now: () => now });
    const { call } = setup(t, AUTH_ON, { bucket });
    const a = await call('GET', '/api/v1/runs', { token: STATIC });
    assert.equal(a.status, 200);
    assert.equal(a.headers.get('x-ratelimit-limit'), '1');
    assert.equal(a.headers.get('x-ratelimit-remaining'), '1');
    assert.equal(a.headers.get('x-ratelimit-reset'), String(Math.ceil((now + 1000) / 1000)));
    assert.equal((await call('GET', '/api/v1/runs', { token: STATIC })).headers.get('x-ratelimit-remaining'), '0');
    const refused = await call('GET', '/api/v1/runs', { token: STATIC });
    assert.equal(refused.status, 429);
    assert.equal(refused.body.error.code, 'RATE_LIMITED');
    assert.equal(refused.headers.get('retry-after'), '1');
    assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');
    const compat = await call('GET', '/jobs', { token: STATIC });
    assert.deepEqual([compat.status, compat.body], [429, { error: 'rate limit exceeded' }], "Stromboli's body on its face");
    // Before auth: an unauthenticated flood is limited by address (429, not 401), and does not use the principal's bucket.
    const other = await call('GET', '/api/v1/runs', { token: 'another-token' });
    assert.equal(other.status, 200, 'another principal has its own bucket');
    assert.equal((await call('GET', '/openapi.json')).headers.get('x-ratelimit-limit'), null);
    assert.equal((await call('POST', '/auth/token', { token: STATIC, body: { client_id: 'c' } })).status, 200, '/auth is not limited');
    assert.equal((await call('GET', '/api/v1/runs', { unix: true })).status, 200, 'the unix socket is not limited');
    now += 1000;
    assert.equal((await call('GET', '/api/v1/runs', { token: STATIC })).status, 200, 'a token came back');
    // Bad credentials are throttled too (they share the address bucket), and are answered 429 before 401.
    const bad = [];
    for (let i = 0; i < 3; i++) bad.push((await call('GET', '/api/v1/runs', { token: `bad-${i}` })).status);
    assert.deepEqual(bad, [401, 401, 429]);
  });
});
