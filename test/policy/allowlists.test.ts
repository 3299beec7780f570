/** Image and repository allowlists, and the config keys that hold them (no engine). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/index.ts';
import { checkImage, checkRepo, compileGlob, parseImageAllow, parseRepoAllow } from '../../src/policy/index.ts';

describe('globs', () => {
  it('* stays within a segment, ** crosses, ? is one character', () => {
    assert.ok(compileGlob('localhost/paddock-*').test('localhost/paddock-agent:latest'));
    assert.ok(!compileGlob('localhost/*').test('localhost/a/b'));
    assert.ok(compileGlob('localhost/**').test('localhost/a/b'));
    assert.ok(compileGlob('img:v?').test('img:v1'));
    assert.ok(!compileGlob('a.b').test('aXb'));
  });
});

describe('images', () => {
  const rules = parseImageAllow('localhost/paddock-agent:*,docker.io/library/node:2?');
  it('allows what a pattern matches (a bare name as :latest), refuses the rest naming the rule', () => {
    checkImage('localhost/paddock-agent:latest', rules);
    checkImage('localhost/paddock-agent', rules);
    checkImage('docker.io/library/node:22', rules);
    assert.throws(() => checkImage('localhost/paddock-base:bookworm', rules), /refused by policy \(PADDOCK_IMAGE_ALLOW\)/);
    assert.throws(() => checkImage('localhost/paddock-agent:latest@sha256:00', parseImageAllow('localhost/paddock-agent:latest')), /PADDOCK_IMAGE_ALLOW/);
    assert.throws(() => checkImage('evil/localhost/paddock-agent:latest', rules), /PADDOCK_IMAGE_ALLOW/);
  });
  it('refuses a pattern with characters patterns cannot hold', () => {
    assert.throws(() => parseImageAllow('localhost/paddock[agent'), /PADDOCK_IMAGE_ALLOW: .* holds a character/);
    assert.throws(() => parseImageAllow('a***'), /\*\*\*/);
  });
});

describe('repositories', () => {
  it('allows a repository at or under a directory, by whole components; globs in segments', () => {
    const rules = parseRepoAllow('/srv/repos,/home/*/src');
    checkRepo('/srv/repos', rules);
    checkRepo('/srv/repos/app', rules);
    checkRepo('/home/ann/src/app', rules);
    assert.throws(() => checkRepo('/srv/repos-evil', rules), /PADDOCK_REPO_ALLOW/);
    assert.throws(() => checkRepo('/home/ann/other', rules), /PADDOCK_REPO_ALLOW/);
    checkRepo('/anything', parseRepoAllow('/'));
    assert.throws(() => parseRepoAllow('src'), /not an absolute path/);
  });
});

describe('config keys', () => {
  const env = (extra: Record<string, string>) => ({ PADDOCK_HOME: '/tmp/paddock-policy-config', ...extra });
  it('defaults: no mounts, Paddock images, any repo, /dev/shm', () => {
    const c = loadConfig(env({}));
    assert.deepEqual(c.mountAllow, []);
    assert.deepEqual(c.imageAllow, ['localhost/paddock-agent:latest', 'localhost/paddock-*']);
    assert.deepEqual(c.repoAllow, ['/']);
    assert.equal(c.secretsTmpfs, '/dev/shm');
  });
  it('a bad value fails naming the key', () => {
    assert.throws(() => loadConfig(env({ PADDOCK_MOUNT_ALLOW: 'data' })), /bad configuration PADDOCK_MOUNT_ALLOW/);
    assert.throws(() => loadConfig(env({ PADDOCK_IMAGE_ALLOW: 'a b' })), /bad configuration PADDOCK_IMAGE_ALLOW/);
    assert.throws(() => loadConfig(env({ PADDOCK_REPO_ALLOW: './x' })), /bad configuration PADDOCK_REPO_ALLOW/);
    assert.throws(() => loadConfig(env({ PADDOCK_SECRETS_TMPFS: 'shm' })), /bad configuration PADDOCK_SECRETS_TMPFS/);
  });
});
