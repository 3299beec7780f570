/** The auth, rate-limit and webhook settings: defaults, Stromboli's names as aliases (Paddock's win), bad values named. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';
import { isPaddockError } from '../../src/errors/index.ts';

const home = () => mkdtempSync(join(tmpdir(), 'paddock-authcfg-'));
const SECRET = 'x'.repeat(32);

function fails(env: Record<string, string>, message: RegExp): void {
  assert.throws(
    () => loadConfig({ PADDOCK_HOME: home(), ...env }),
    (e) => isPaddockError(e) && e.code === 'INVALID_CONFIG' && message.test(e.message),
    JSON.stringify(env),
  );
}

describe('auth, rate-limit and webhook settings', () => {
  it('are off and safe by default', () => {
    const c = loadConfig({ PADDOCK_HOME: home() });
    assert.equal(c.authEnabled, false);
    assert.deepEqual(c.apiTokens, []);
    assert.equal(c.jwtSecret, undefined);
    assert.equal(c.jwtExpiry, 24 * 3600_000);
    assert.equal(c.jwtRefreshExpiry, 168 * 3600_000);
    assert.deepEqual([c.rateLimitEnabled, c.rateLimitRps, c.rateLimitBurst], [false, 10, 20]);
    assert.deepEqual(c.rateLimitTrustedProxies, []);
    assert.deepEqual([c.webhookSecret, c.webhookAllowPrivate, c.webhookMaxAttempts, c.webhookTimeout], [undefined, false, 12, 5000]);
  });

  it("take Stromboli's names, and Paddock's win when both are set", () => {
    const c = loadConfig({
      PADDOCK_HOME: home(),
      STROMBOLI_AUTH_ENABLED: 'true',
      STROMBOLI_API_TOKENS: 'a, b,,c',
      STROMBOLI_JWT_SECRET: SECRET,
      STROMBOLI_JWT_EXPIRY: '1h',
      STROMBOLI_JWT_REFRESH_EXPIRY: '48h',
      STROMBOLI_RATE_LIMIT_ENABLED: 'yes',
      STROMBOLI_RATE_LIMIT_RPS: '2.5',
      STROMBOLI_RATE_LIMIT_BURST: '7',
      STROMBOLI_RATE_LIMIT_TRUSTED_PROXIES: '10.0.0.0/8, ::1',
      STROMBOLI_WEBHOOK_SIGNING_SECRET: 'whsec',
    });
    assert.deepEqual([c.authEnabled, c.apiTokens, c.jwtSecret, c.jwtExpiry, c.jwtRefreshExpiry], [true, ['a', 'b', 'c'], SECRET, 3600_000, 48 * 3600_000]);
    assert.deepEqual([c.rateLimitEnabled, c.rateLimitRps, c.rateLimitBurst, c.rateLimitTrustedProxies], [true, 2.5, 7, ['10.0.0.0/8', '::1']]);
    assert.equal(c.webhookSecret, 'whsec');
    const both = loadConfig({ PADDOCK_HOME: home(), PADDOCK_RATE_LIMIT_RPS: '3', STROMBOLI_RATE_LIMIT_RPS: '9', PADDOCK_API_TOKENS: 'mine', STROMBOLI_API_TOKENS: 'theirs' });
    assert.equal(both.rateLimitRps, 3);
    assert.deepEqual(both.apiTokens, ['mine']);
  });

  it('are read from the config file too, as JSON types', () => {
    const h = home();
    writeFileSync(join(h, 'config.json'), JSON.stringify({ authEnabled: true, apiTokens: ['t1', 't2'], rateLimitEnabled: true, rateLimitBurst: 5, webhookAllowPrivate: true }));
    const c = loadConfig({ PADDOCK_HOME: h });
    assert.deepEqual([c.authEnabled, c.apiTokens, c.rateLimitEnabled, c.rateLimitBurst, c.webhookAllowPrivate], [true, ['t1', 't2'], true, 5, true]);
  });

  it('fail at start naming the variable', () => {
    fails({ PADDOCK_AUTH_ENABLED: 'maybe' }, /PADDOCK_AUTH_ENABLED/);
    fails({ STROMBOLI_AUTH_ENABLED: 'true' }, /STROMBOLI_AUTH_ENABLED: authentication is on but no client could ever authenticate/);
    fails({ PADDOCK_JWT_SECRET: 'short' }, /PADDOCK_JWT_SECRET: the JWT secret must be at least 32 characters/);
    fails({ PADDOCK_RATE_LIMIT_RPS: '0' }, /PADDOCK_RATE_LIMIT_RPS/);
    fails({ PADDOCK_RATE_LIMIT_BURST: '1.5' }, /PADDOCK_RATE_LIMIT_BURST/);
    fails({ PADDOCK_RATE_LIMIT_TRUSTED_PROXIES: '10.0.0.0/33' }, /PADDOCK_RATE_LIMIT_TRUSTED_PROXIES/);
    fails({ PADDOCK_RATE_LIMIT_TRUSTED_PROXIES: 'proxy.local' }, /PADDOCK_RATE_LIMIT_TRUSTED_PROXIES/);
    fails({ PADDOCK_WEBHOOK_MAX_ATTEMPTS: '0' }, /PADDOCK_WEBHOOK_MAX_ATTEMPTS/);
    fails({ PADDOCK_WEBHOOK_TIMEOUT: 'soon' }, /PADDOCK_WEBHOOK_TIMEOUT/);
  });

  it('never echo a secret in the error', () => {
    try {
      loadConfig({ PADDOCK_HOME: home(), PADDOCK_JWT_SECRET: 'hunter2-secret' });
      assert.fail('should fail');
    } catch (e) {
      assert.ok(!String((e as Error).message).includes('hunter2'));
    }
  });
});
