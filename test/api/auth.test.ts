/**
 * Auth against the real daemon over real HTTP: JWTs from /auth/token through refresh and logout, across a SIGTERM
 * restart and a SIGKILL one (revocations are in SQLite); static tokens; the unix socket needs none; the daemon
 * refuses a non-loopback address without auth and takes one with it.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { BIN, paddockEnv, until } from '../e2e/harness.ts';
import { startDaemon } from './harness.ts';

const pexec = promisify(execFile);
const SECRET = 'an-e2e-secret-of-more-than-thirty-two-characters';
const AUTH = { PADDOCK_AUTH_ENABLED: 'true', PADDOCK_API_TOKENS: 'static-one, static-two', PADDOCK_JWT_SECRET: SECRET };
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

/** A request over the daemon's unix socket with headers (the harness's viaSocket sends none). */
function overSocket(socket: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: socket, path, method, headers: body === undefined ? {} : { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

describe('auth (real daemon)', () => {
  it('token → use → refresh → logout → 401, and a logout holds across restarts (SIGTERM and SIGKILL)', async (t) => {
    let d = await startDaemon(t, AUTH);
    assert.equal((await d.json('GET', '/api/v1/runs')).status, 401);
    const issued = await d.json('POST', '/auth/token', { client_id: 'e2e' }, bearer('static-one'));
    assert.equal(issued.status, 200, JSON.stringify(issued.body));
    assert.equal(issued.body.token_type, 'bearer');
    const access = issued.body.access_token as string;
    assert.equal((await d.json('GET', '/api/v1/runs', undefined, bearer(access))).status, 200);

    const refreshed = await d.json('POST', '/auth/refresh', { refresh_token: issued.body.refresh_token });
    assert.equal(refreshed.status, 200);
    const access2 = refreshed.body.access_token as string;
    assert.equal((await d.json('GET', '/api/v1/runs', undefined, bearer(access2))).status, 200);

    // Tokens are signed, not stored: they outlive the daemon that issued them. (SIGTERM only once serve has set its
    // handler: it does so after the first reconcile, and a SIGTERM before that kills it undrained.)
    await until(() => /paddock daemon:/.test(d.log()), 'serve to be up', 60_000, 50);
    assert.equal(await d.stop(), 0);
    d = await d.restart();
    assert.equal((await d.json('GET', '/api/v1/runs', undefined, bearer(access))).status, 200);
    const v = await d.json('GET', '/auth/validate', undefined, bearer(access2));
    assert.deepEqual([v.status, v.body.valid, v.body.subject], [200, true, 'e2e']);

    const out = await d.json('POST', '/auth/logout', undefined, bearer(access));
    assert.deepEqual([out.status, out.body], [200, { success: true, message: 'token invalidated' }]);
    const after = await d.json('GET', '/api/v1/runs', undefined, bearer(access));
    assert.equal(after.status, 401);
    assert.equal(after.body.error.message, 'token revoked');

    await d.kill();
    d = await d.restart();
    for (const tok of [access, access2]) {
      const r = await d.json('GET', '/api/v1/runs', undefined, bearer(tok));
      assert.deepEqual([r.status, r.body.error?.message], [401, 'token revoked'], 'still logged out after SIGKILL and restart');
    }
    assert.equal((await d.json('POST', '/auth/refresh', { refresh_token: refreshed.body.refresh_token })).status, 401, "the family's refresh tokens too");
    assert.equal((await d.json('GET', '/api/v1/runs', undefined, bearer('static-two'))).status, 200);
  });

  it('static tokens work on both faces; the unix socket needs none; /health and the docs are public', async (t) => {
    const d = await startDaemon(t, { PADDOCK_AUTH_ENABLED: 'true', STROMBOLI_API_TOKENS: 'only-static' }); // Stromboli's name works too
    assert.equal((await d.json('GET', '/api/v1/runs', undefined, bearer('only-static'))).status, 200);
    const bad = await d.json('GET', '/api/v1/runs', undefined, bearer('nope'));
    assert.deepEqual([bad.status, bad.body.error.code, bad.body.error.message], [401, 'UNAUTHORIZED', 'invalid or expired token']);
    assert.match(bad.headers.get('www-authenticate') ?? '', /Bearer/);
    const compat = await d.json('GET', '/jobs');
    assert.deepEqual([compat.status, compat.body], [401, { error: 'missing authorization header' }]);
    assert.equal((await d.viaSocket('GET', '/api/v1/runs')).status, 200, "the socket is the local user's");
    assert.equal((await d.viaSocket('GET', '/api/v1/daemon')).status, 200);
    const noJwt = await overSocket(d.socket, 'POST', '/auth/token', { client_id: 'x' });
    assert.deepEqual([noJwt.status, noJwt.body], [503, { error: 'JWT authentication not configured' }]);
    assert.equal((await d.fetch('/openapi.json')).status, 200);
    assert.equal((await d.fetch('/docs')).status, 200);
    assert.notEqual((await d.fetch('/health')).status, 401, '/health is never behind auth');
  });

  it('the CLI reaches an authenticating daemon at PADDOCK_URL with PADDOCK_TOKEN, and exits 8 without it', async (t) => {
    const d = await startDaemon(t, { PADDOCK_AUTH_ENABLED: 'true', PADDOCK_API_TOKENS: 'cli-token', PADDOCK_JWT_SECRET: SECRET });
    const elsewhere = mkdtempSync(join(tmpdir(), 'paddock-remote-cli-')); // the client's own home: no daemon there
    t.after(() => rmSync(elsewhere, { recursive: true, force: true }));
    const cli = (env: NodeJS.ProcessEnv) =>
      pexec(process.execPath, [BIN, 'ls', '--json'], { env: { PATH: process.env.PATH, HOME: process.env.HOME, PADDOCK_HOME: elsewhere, PADDOCK_URL: d.url, ...env } }).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      );
    const ok = await cli({ PADDOCK_TOKEN: 'cli-token' });
    assert.equal(ok.code, 0, ok.stderr);
    assert.ok(Array.isArray(JSON.parse(ok.stdout)) || typeof JSON.parse(ok.stdout) === 'object');
    const none = await cli({});
    assert.equal(none.code, 8, none.stderr);
    assert.match(none.stderr, /PADDOCK_TOKEN/);
    const issued = await d.json('POST', '/auth/token', { client_id: 'cli' }, bearer('cli-token'));
    assert.equal((await cli({ PADDOCK_TOKEN: issued.body.access_token })).code, 0, 'a JWT access token works as PADDOCK_TOKEN');
    await d.json('POST', '/auth/logout', undefined, bearer(issued.body.access_token));
    assert.equal((await cli({ PADDOCK_TOKEN: issued.body.access_token })).code, 8, 'and not once logged out');
  });

  it('refuses a non-loopback address without auth, saying why, and listens on one with it', async (t) => {
    const e = await paddockEnv(t);
    const serve = (env: NodeJS.ProcessEnv) => {
      const child = spawn(process.execPath, [BIN, 'serve', '--host', '0.0.0.0', '--port', '0'], { env: { ...e.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout!.on('data', (c: Buffer) => (out += c));
      child.stderr!.on('data', (c: Buffer) => (out += c));
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      t.after(() => {
        if (child.exitCode === null) child.kill('SIGKILL');
      });
      return { child, exited, out: () => out };
    };
    const refused = serve({});
    assert.equal(await refused.exited, 2, "the config error's exit code");
    assert.match(refused.out(), /refusing to listen on 0\.0\.0\.0: it is not a loopback address/);
    assert.match(refused.out(), /PADDOCK_AUTH_ENABLED=true/);

    const empty = serve({ PADDOCK_AUTH_ENABLED: 'true' });
    assert.notEqual(await empty.exited, 0);
    assert.match(empty.out(), /PADDOCK_AUTH_ENABLED.*no client could ever authenticate/);

    const ok = serve({ PADDOCK_AUTH_ENABLED: 'true', PADDOCK_API_TOKENS: 'wide-open-no-more' });
    const record = await until(
      () => {
        if (ok.child.exitCode !== null) throw new Error(`serve exited ${ok.child.exitCode}: ${ok.out()}`);
        try {
          const r = JSON.parse(readFileSync(join(e.home, 'daemon.json'), 'utf8')) as { pid: number; tcp: string | null };
          return r.pid === ok.child.pid && r.tcp ? r : undefined;
        } catch {
          return undefined;
        }
      },
      'the daemon to listen on 0.0.0.0',
      60_000,
      50,
    );
    assert.match(record.tcp!, /^0\.0\.0\.0:\d+$/);
    await until(() => /paddock daemon: http:\/\/0\.0\.0\.0/.test(ok.out()), 'serve to be up (its signal handlers set)', 60_000, 50);
    const port = record.tcp!.split(':')[1];
    assert.equal((await fetch(`http://127.0.0.1:${port}/api/v1/runs`)).status, 401);
    assert.equal((await fetch(`http://127.0.0.1:${port}/api/v1/runs`, { headers: bearer('wide-open-no-more') })).status, 200);
    ok.child.kill('SIGTERM');
    assert.equal(await ok.exited, 0);
  });
});
