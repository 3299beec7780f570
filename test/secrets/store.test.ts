/** The secret store, names, the run file and redaction (no engine). */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { blockedEnv, checkSecretsEnv, readRunSecrets, redactDeep, redactorFor, removeRunSecrets, SecretStore, sweepRunSecrets, writeRunSecrets } from '../../src/secrets/index.ts';

const tmp = (t: { after: (fn: () => void) => void }, dir = tmpdir()) => {
  const d = mkdtempSync(join(dir, 'paddock-secrets-unit-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
};

describe('the store', () => {
  it('encrypts each value, 0600 files in a 0700 directory, values never in the file', (t) => {
    const dir = join(tmp(t), 'secrets');
    const s = new SecretStore(dir);
    s.set('github-token', 'ghp_supersecretvalue', { replace: false });
    assert.equal(s.value('github-token'), 'ghp_supersecretvalue');
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, 'key')).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'secrets.json')).mode & 0o777, 0o600);
    assert.ok(!readFileSync(join(dir, 'secrets.json'), 'utf8').includes('supersecret'));
    assert.deepEqual(
      s.list().map((x) => x.name),
      ['github-token'],
    );
    assert.ok(!JSON.stringify(s.list()).includes('supersecret'));
  });
  it('create refuses an existing name; set replaces and keeps the id; delete', (t) => {
    const s = new SecretStore(join(tmp(t), 'secrets'));
    const a = s.set('a', 'value-one', { replace: false });
    assert.throws(() => s.set('a', 'x', { replace: false }), /already exists/);
    const b = s.set('a', 'value-two', { replace: true });
    assert.equal(b.info.id, a.info.id);
    assert.equal(s.value('a'), 'value-two');
    assert.ok(s.delete('a'));
    assert.ok(!s.delete('a'));
  });
  it('a tampered entry, or one moved under another name, does not decrypt', (t) => {
    const dir = join(tmp(t), 'secrets');
    const s = new SecretStore(dir);
    s.set('a', 'value-one', { replace: false });
    const file = join(dir, 'secrets.json');
    const data = JSON.parse(readFileSync(file, 'utf8'));
    data.secrets.b = { ...data.secrets.a, name: 'b' };
    writeFileSync(file, JSON.stringify(data));
    assert.throws(() => s.value('b'), /cannot be decrypted/);
  });
  it('refuses bad names and values', (t) => {
    const s = new SecretStore(join(tmp(t), 'secrets'));
    for (const n of ['', '-x', 'a/b', '../x', 'a b', 'x'.repeat(254)]) assert.throws(() => s.set(n, 'v', { replace: true }), /not a secret name/, n);
    assert.throws(() => s.set('a', '', { replace: true }), /empty/);
    assert.throws(() => s.set('a', 'a\0b', { replace: true }), /NUL/);
  });
});

describe('variables', () => {
  it('blocks the loader, the shell, the agent, Paddock and the proxy', () => {
    for (const v of [
      'LD_PRELOAD',
      'LD_LIBRARY_PATH',
      'PATH',
      'HOME',
      'BASH_ENV',
      'PADDOCK_RUN_ID',
      'ANTHROPIC_BASE_URL',
      'CLAUDE_CODE_OAUTH_TOKEN',
      'HTTPS_PROXY',
      'http_proxy',
      'NO_PROXY',
      'NODE_OPTIONS',
      '1X',
      'A-B',
    ])
      assert.ok(blockedEnv(v), v);
    for (const v of ['GH_TOKEN', 'NPM_TOKEN', 'MY_SECRET_2']) assert.equal(blockedEnv(v), undefined, v);
    assert.throws(() => checkSecretsEnv(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`V${i}`, 's']))), /at most 50/);
  });
});

describe('the run file', () => {
  it('is written in a 0700 directory of its own, read back, removed; foreign directories refused', (t) => {
    const shm = tmp(t, '/dev/shm');
    const file = writeRunSecrets(shm, 'inst', 'run1', { GH_TOKEN: 'ghp_x\nwith newline', B: 'b' });
    assert.equal(statSync(join(shm, 'paddock-inst')).mode & 0o777, 0o700);
    assert.equal(statSync(file).mode & 0o777, 0o444);
    assert.ok(!readFileSync(file, 'utf8').includes('ghp_x'));
    assert.deepEqual(readRunSecrets(shm, 'inst', 'run1'), { GH_TOKEN: 'ghp_x\nwith newline', B: 'b' });
    const owned = writeRunSecrets(shm, 'inst', 'run2', { A: 'a' }, { uid: 1_000_123, gid: 1_000_123 });
    assert.equal(statSync(owned).mode & 0o777, 0o400);
    assert.equal(statSync(owned).uid, 1_000_123);
    assert.deepEqual(
      sweepRunSecrets(shm, 'inst', (id) => id === 'run2'),
      ['run1'],
    );
    assert.ok(removeRunSecrets(shm, 'inst', 'run2'));
    assert.equal(readRunSecrets(shm, 'inst', 'run2'), undefined);
    // Someone made the directory first (here: a symlink to a directory they read): refused.
    mkdirSync(join(shm, 'elsewhere'));
    symlinkSync(join(shm, 'elsewhere'), join(shm, 'paddock-evil'));
    assert.throws(() => writeRunSecrets(shm, 'evil', 'run', { A: 'a' }), /not a directory Paddock made/);
  });
  it('is never written outside a tmpfs', (t) => {
    const disk = tmp(t); // /tmp is on disk here (not a tmpfs)
    assert.throws(() => writeRunSecrets(disk, 'inst', 'run', { A: 'a' }), /not a tmpfs/);
  });
});

describe('redaction', () => {
  it('replaces each value, also as it reads inside JSON, in text and in parsed events', () => {
    const r = redactorFor({ GH_TOKEN: 'ghp_abc"def\\ghi', SHORT: 'abc', LONGER: 'ghp_abc"def\\ghi-and-more' });
    assert.equal(r('token ghp_abc"def\\ghi end'), 'token [secret GH_TOKEN] end');
    assert.equal(r(JSON.stringify({ text: 'x ghp_abc"def\\ghi y' })), JSON.stringify({ text: 'x [secret GH_TOKEN] y' }));
    assert.equal(r('ghp_abc"def\\ghi-and-more'), '[secret LONGER]');
    assert.equal(r('abc'), 'abc'); // too short to look for
    assert.deepEqual(redactDeep({ a: ['ghp_abc"def\\ghi', 1], b: { c: 'ghp_abc"def\\ghi' } }, r), { a: ['[secret GH_TOKEN]', 1], b: { c: '[secret GH_TOKEN]' } });
  });
});
