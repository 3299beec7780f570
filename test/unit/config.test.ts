import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';
import { isPaddockError } from '../../src/errors/index.ts';

const home = () => mkdtempSync(join(tmpdir(), 'paddock-cfg-'));

describe('config', () => {
  it('has safe defaults', () => {
    const c = loadConfig({ PADDOCK_HOME: home() });
    assert.equal(c.anthropicBaseUrl, 'https://api.anthropic.com');
    assert.equal(c.memory, 512 * 1024 ** 2);
    assert.equal(c.cpus, 1);
    assert.equal(c.pids, 512);
    assert.equal(c.timeout, 30 * 60_000);
  });
  it('reads env over the config file', () => {
    const h = home();
    writeFileSync(join(h, 'config.json'), JSON.stringify({ memory: '1g', timeout: '10m' }));
    const c = loadConfig({ PADDOCK_HOME: h, PADDOCK_TIMEOUT: '5m' });
    assert.equal(c.memory, 1024 ** 3);
    assert.equal(c.timeout, 5 * 60_000);
  });
  it('fails at start naming the bad key and where it came from', () => {
    assert.throws(
      () => loadConfig({ PADDOCK_HOME: home(), PADDOCK_MEMORY: '1.5x' }),
      (e: unknown) => isPaddockError(e) && e.code === 'INVALID_CONFIG' && /PADDOCK_MEMORY/.test(e.message) && /1\.5x/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ PADDOCK_HOME: home(), PADDOCK_ANTHROPIC_BASE_URL: 'not a url' }),
      (e: unknown) => isPaddockError(e) && /PADDOCK_ANTHROPIC_BASE_URL/.test(e.message),
    );
    const h = home();
    writeFileSync(join(h, 'config.json'), JSON.stringify({ memroy: '1g' }));
    assert.throws(
      () => loadConfig({ PADDOCK_HOME: h }),
      (e: unknown) => isPaddockError(e) && /memroy/.test(e.message),
    );
  });
});
