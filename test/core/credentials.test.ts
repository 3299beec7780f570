import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { credentialStatus, importCredentials, modelCredential } from '../../src/app/credentials.ts';
import type { Config } from '../../src/config/index.ts';

/** A token endpoint of the test's own: counts refreshes, hands out numbered tokens, takes its time. */
async function tokenServer() {
  const calls: Record<string, unknown>[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      calls.push(JSON.parse(body) as Record<string, unknown>);
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ access_token: `access-${calls.length}`, refresh_token: `refresh-${calls.length}`, expires_in: 3600 }));
      }, 100);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { calls, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/oauth/token`, close: () => server.close() };
}

function setup(expiresAt: number) {
  const home = mkdtempSync(join(tmpdir(), 'paddock-cred-'));
  const file = join(home, 'claude-credentials.json');
  writeFileSync(file, JSON.stringify({ claudeAiOauth: { accessToken: 'access-0', refreshToken: 'refresh-0', expiresAt, scopes: ['user:inference'] } }));
  return { home, file };
}

const cfgOf = (home: string, url: string) => ({ home, oauthTokenUrl: url, oauthClientId: 'client-x', upstreamConnectTimeout: 1000 }) as unknown as Config;

describe('imported credentials', () => {
  it('imports a Claude Code login 0600 and reports it without the tokens', () => {
    const { home, file } = setup(Date.now() + 3600_000);
    const s = importCredentials({ home }, file);
    assert.equal(s.source, 'imported');
    assert.equal(s.refreshable, true);
    const stored = join(home, 'credentials.json');
    assert.equal(statSync(stored).mode & 0o777, 0o600);
    assert.equal(JSON.parse(readFileSync(stored, 'utf8')).accessToken, 'access-0');
    assert.doesNotMatch(JSON.stringify(credentialStatus({ home, anthropicApiKey: undefined, claudeOauthToken: undefined })), /access-0|refresh-0/);
    assert.equal(credentialStatus({ home, anthropicApiKey: 'k', claudeOauthToken: undefined }).source, 'api-key');
    assert.throws(() => importCredentials({ home }, join(home, 'nope.json')), /cannot read/);
  });

  it('a fresh token is used as it is; one about to expire is refreshed once, however many calls (and readers) race', async (t) => {
    const ts = await tokenServer();
    t.after(() => ts.close());
    const fresh = setup(Date.now() + 3600_000);
    importCredentials({ home: fresh.home }, fresh.file);
    assert.deepEqual(await modelCredential(cfgOf(fresh.home, ts.url))(), { oauthToken: 'access-0' });
    assert.equal(ts.calls.length, 0);

    const { home, file } = setup(Date.now() + 60_000);
    importCredentials({ home }, file);
    // Two readers of one home (two daemons, or a daemon and a restarted one) and 20 parallel calls each.
    const a = modelCredential(cfgOf(home, ts.url));
    const b = modelCredential(cfgOf(home, ts.url));
    const got = await Promise.all([...Array.from({ length: 20 }, () => a()), ...Array.from({ length: 20 }, () => b())]);
    assert.equal(ts.calls.length, 1, 'one refresh');
    assert.deepEqual(ts.calls[0], { grant_type: 'refresh_token', refresh_token: 'refresh-0', client_id: 'client-x' });
    for (const c of got) assert.deepEqual(c, { oauthToken: 'access-1' });
    const stored = JSON.parse(readFileSync(join(home, 'credentials.json'), 'utf8'));
    assert.equal(stored.refreshToken, 'refresh-1', 'the new refresh token is kept (they are single-use)');
    assert.ok(stored.expiresAt > Date.now() + 3000_000);
    assert.equal(statSync(join(home, 'credentials.json')).mode & 0o777, 0o600);
    assert.deepEqual(await a(), { oauthToken: 'access-1' });
    assert.equal(ts.calls.length, 1, 'no second refresh while the new token is fresh');
  });
});
