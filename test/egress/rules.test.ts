/** Allow rules (pure logic): globs, ports, IP literals, and the bad rules config and spawn refuse. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_EGRESS_ALLOW, isPrivateAddress, matchRule, parseAllowList, parseAllowRule } from '../../src/egress/index.ts';

describe('egress allow rules', () => {
  it('match hosts by name and glob, and ports (no port: 80 and 443; :* any)', () => {
    const rules = parseAllowList(['registry.npmjs.org', '*.github.com:443', 'api.example.com:*', '10.1.2.3:8080', '[2001:db8::1]:443', 'A.Example.ORG.'], 'test');
    const ok = (host: string, port: number) => matchRule(rules, host, port)?.text;
    assert.equal(ok('registry.npmjs.org', 443), 'registry.npmjs.org');
    assert.equal(ok('registry.npmjs.org', 80), 'registry.npmjs.org');
    assert.equal(ok('registry.npmjs.org', 8080), undefined);
    assert.equal(ok('codeload.github.com', 443), '*.github.com:443');
    assert.equal(ok('a.b.github.com', 443), '*.github.com:443');
    assert.equal(ok('github.com', 443), undefined, '*.github.com does not match github.com itself');
    assert.equal(ok('evilgithub.com', 443), undefined);
    assert.equal(ok('github.com.evil.test', 443), undefined);
    assert.equal(ok('codeload.github.com', 80), undefined);
    assert.equal(ok('api.example.com', 22), 'api.example.com:*');
    assert.equal(ok('10.1.2.3', 8080), '10.1.2.3:8080');
    assert.equal(ok('2001:db8::1', 443), '[2001:db8::1]:443');
    assert.equal(ok('a.example.org', 443), 'a.example.org', 'rules are normalised: lower case, no trailing dot');
    assert.equal(matchRule(parseAllowList(['*'], 't'), '::1', 80)?.text, '*', '* alone is any host, addresses too');
  });

  it('refuse bad rules, naming where they came from', () => {
    for (const bad of ['exa mple.com', 'example.com:0', 'example.com:65536', 'example.com:http', 'http://example.com', 'example.com/path', '[nope]:443', '10.*.0.1', 'user@example.com', ':443', '']) {
      assert.throws(() => parseAllowRule(bad, 'PADDOCK_EGRESS_ALLOW'), /PADDOCK_EGRESS_ALLOW: invalid allow rule/, bad);
    }
  });

  it('the default list parses, and private-address checks cover the mapped IPv6 forms', () => {
    assert.equal(parseAllowList([...DEFAULT_EGRESS_ALLOW], 'default').length, DEFAULT_EGRESS_ALLOW.length);
    for (const a of [
      '127.0.0.1',
      '::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:10.0.0.1',
      '::ffff:169.254.169.254',
      '0.0.0.0',
      '::',
      'fe80::1',
      'fd00::2',
      '100.64.1.1',
      '224.0.0.251',
      'ff02::1',
      '::127.0.0.1',
      '64:ff9b::7f00:1',
      '64:ff9b::10.0.0.1',
      '64:ff9b::c0a8:101',
    ])
      assert.equal(isPrivateAddress(a), true, a);
    for (const a of ['8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808']) assert.equal(isPrivateAddress(a), false, a);
  });
});
