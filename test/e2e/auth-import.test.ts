/**
 * An imported Claude Code login end to end: `paddock auth import --file` stores it 0600; the daemon has no key in
 * its environment, so the gateway uses the login, refreshes it first (it expires within a minute) against a token
 * server of the test's own (PADDOCK_OAUTH_TOKEN_URL), and the run's model calls reach the scripted model with the
 * refreshed token as a bearer. Nothing reaches Anthropic.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { it } from 'node:test';
import { makeRepo, paddockEnv, REAL_KEY, runIdOf, statusJson } from './harness.ts';

it('auth import: the gateway refreshes the imported login once and uses it for the run', async (t) => {
  const refreshes: Record<string, unknown>[] = [];
  const tokens = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      refreshes.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: REAL_KEY, refresh_token: 'refresh-2', expires_in: 3600 }));
    });
  });
  await new Promise<void>((r) => tokens.listen(0, '127.0.0.1', r));
  t.after(() => tokens.close());
  const e = await paddockEnv(t, {
    PADDOCK_ANTHROPIC_API_KEY: '',
    PADDOCK_OAUTH_TOKEN_URL: `http://127.0.0.1:${(tokens.address() as AddressInfo).port}/v1/oauth/token`,
  });
  const file = join(e.home, '..', `claude-credentials-${process.pid}.json`);
  writeFileSync(file, JSON.stringify({ claudeAiOauth: { accessToken: 'stale-access', refreshToken: 'refresh-1', expiresAt: Date.now() + 30_000, scopes: ['user:inference'] } }));
  t.after(() => rmSync(file, { force: true }));

  const imp = await e.cli(['auth', 'import', '--file', file]);
  assert.equal(imp.code, 0, imp.stderr);
  assert.match(imp.stderr, /imported the OAuth login into .*credentials\.json \(0600\)/);
  assert.equal(statSync(join(e.home, 'credentials.json')).mode & 0o777, 0o600);
  const st = await e.cli(['auth', 'status', '--json']);
  assert.equal(JSON.parse(st.stdout).source, 'imported');
  assert.doesNotMatch(st.stdout, /stale-access|refresh-1/);

  const repo = await makeRepo(t);
  e.model.script('auth-run', [{ text: 'answered with the refreshed login' }]);
  const r = await e.cli(['spawn', '--repo', repo, '--type', 'explore', '--task', 'Hi [[script:auth-run]]']);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.equal((await statusJson(e, runIdOf(r))).state, 'completed');
  assert.equal(refreshes.length, 1, 'one refresh');
  assert.equal(refreshes[0]?.refresh_token, 'refresh-1');
  const calls = e.model.requests.filter((q) => q.path === '/v1/messages');
  assert.ok(calls.length > 0);
  for (const q of calls) {
    assert.equal(q.headers.authorization, `Bearer ${REAL_KEY}`);
    assert.match(String(q.headers['anthropic-beta']), /oauth-2025-04-20/);
    assert.equal(q.headers['x-api-key'], undefined);
  }
  const doc = await e.cli(['doctor']);
  assert.match(doc.stdout, /✔ credentials: a Claude Code login imported with `paddock auth import` \(access token expires .*, refreshed before then\)/, doc.stdout);
  assert.equal(refreshes.length, 1, 'doctor used the refreshed login, no second refresh');
  const stored = JSON.parse(readFileSync(join(e.home, 'credentials.json'), 'utf8'));
  assert.equal(stored.refreshToken, 'refresh-2', 'the new refresh token is kept');
});
