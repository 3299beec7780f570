/** The mount policy's rules, on real paths in a temp directory (no engine). */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { blockedTarget, normaliseContainerPath, parseMountAllow, resolveMounts } from '../../src/policy/index.ts';

const inContainer = { home: '/home/agent', workspace: '/workspace' };

function setup(t: { after: (fn: () => void) => void }) {
  const base = mkdtempSync(join(tmpdir(), 'paddock-policy-unit-'));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const allowed = join(base, 'allowed');
  mkdirSync(join(allowed, 'data'), { recursive: true });
  mkdirSync(join(base, 'allowed-evil'));
  mkdirSync(join(base, 'home'));
  writeFileSync(join(allowed, 'file.txt'), 'x');
  symlinkSync('/etc', join(allowed, 'out'));
  symlinkSync(join(allowed, 'data'), join(base, 'in-link'));
  const ctx = (rules: string) => ({ rules: parseMountAllow(rules), inContainer, ownHostPaths: [join(base, 'home')] });
  return { base, allowed, ctx };
}

describe('container paths', () => {
  it('normalises before checking', () => {
    for (const [p, n] of [
      ['//etc', '/etc'],
      ['/etc/../etc', '/etc'],
      ['/etc/', '/etc'],
      ['/home/agent/./.ssh', '/home/agent/.ssh'],
      ['/data//x/', '/data/x'],
      ['/', '/'],
    ])
      assert.equal(normaliseContainerPath(p!), n);
  });
  it('blocks system, runtime, HOME and workspace paths, and not paths of their own', () => {
    for (const p of [
      '/',
      '/etc',
      '/etc/ssl',
      '/usr/local',
      '/run',
      '/run/paddock',
      '/var/run',
      '/proc',
      '/sys',
      '/dev',
      '/boot',
      '/root',
      '/bin',
      '/lib64',
      '/sbin',
      '/workspace',
      '/workspace/x',
      '/home/agent',
      '/home/agent/.ssh',
      '/home',
      '/var',
      '/tmp',
    ])
      assert.ok(blockedTarget(p, { inContainer }), p);
    assert.match(blockedTarget('/home/agent/.config/gh', { inContainer }) ?? '', /\.config\/gh \(credentials\)/);
    for (const p of ['/data', '/mnt/ref', '/srv/x', '/opt/tool', '/tmp/cache', '/var/data', '/etcetera']) assert.equal(blockedTarget(p, { inContainer }), undefined, p);
  });
});

describe('host paths', () => {
  it('resolves symlinks and .. before matching whole path components', (t) => {
    const { base, allowed, ctx } = setup(t);
    const c = ctx(allowed);
    assert.deepEqual(resolveMounts([{ host: join(allowed, 'data'), container: '/data/' }], c), [{ host: join(allowed, 'data'), container: '/data', readOnly: true }]);
    // A symlink outside the prefix that points in is fine: what counts is where it leads.
    assert.equal(resolveMounts([{ host: join(base, 'in-link'), container: '/d' }], c)[0]!.host, join(allowed, 'data'));
    assert.throws(() => resolveMounts([{ host: join(allowed, 'out'), container: '/d' }], c), /PADDOCK_MOUNT_ALLOW.*resolves to \/etc/);
    assert.throws(() => resolveMounts([{ host: `${allowed}/../allowed-evil`, container: '/d' }], c), /PADDOCK_MOUNT_ALLOW/);
    assert.throws(() => resolveMounts([{ host: `${allowed}-evil`, container: '/d' }], c), /PADDOCK_MOUNT_ALLOW/);
    assert.throws(() => resolveMounts([{ host: join(allowed, 'missing'), container: '/d' }], c), /mount-source.*cannot be resolved/);
  });
  it('is denied by default, read-only unless a :rw rule allows writing', (t) => {
    const { allowed, ctx } = setup(t);
    assert.throws(() => resolveMounts([{ host: allowed, container: '/d' }], ctx('')), /PADDOCK_MOUNT_ALLOW is empty/);
    assert.throws(() => resolveMounts([{ host: allowed, container: '/d', readOnly: false }], ctx(allowed)), /read-only mounts only/);
    assert.equal(resolveMounts([{ host: allowed, container: '/d', readOnly: false }], ctx(`${allowed}:rw`))[0]!.readOnly, false);
    assert.equal(resolveMounts([{ host: join(allowed, 'file.txt'), container: '/f' }], ctx(allowed))[0]!.readOnly, true);
  });
  it("refuses Paddock's own state, sockets, bind syntax and overlapping targets", async (t) => {
    const { base, allowed, ctx } = setup(t);
    assert.throws(() => resolveMounts([{ host: join(base, 'home'), container: '/d' }], ctx(base)), /Paddock's own state/);
    assert.throws(() => resolveMounts([{ host: base, container: '/d' }], ctx(base)), /Paddock's own state/);
    const sock = join(allowed, 's.sock');
    const server = createServer().listen(sock);
    await new Promise((r) => server.once('listening', r));
    t.after(() => server.close());
    assert.throws(() => resolveMounts([{ host: sock, container: '/s' }], ctx(allowed)), /neither a directory nor a regular file/);
    assert.throws(() => resolveMounts([{ host: `${allowed}:/etc`, container: '/d' }], ctx(allowed)), /mount-target.*':'/);
    assert.throws(() => resolveMounts([{ host: allowed, container: 'data' }], ctx(allowed)), /must be absolute/);
    assert.throws(
      () =>
        resolveMounts(
          [
            { host: allowed, container: '/d' },
            { host: allowed, container: '/d/x' },
          ],
          ctx(allowed),
        ),
      /one inside the other/,
    );
  });
});

describe('policy settings', () => {
  it('refuses relative, wildcard and .. prefixes', () => {
    assert.deepEqual(parseMountAllow('/a, /b/:rw ,/c:ro'), [
      { prefix: '/a', rw: false },
      { prefix: '/b', rw: true },
      { prefix: '/c', rw: false },
    ]);
    assert.throws(() => parseMountAllow('rel'), /PADDOCK_MOUNT_ALLOW: "rel" is not an absolute path/);
    assert.throws(() => parseMountAllow('/a/*'), /not a plain path/);
    assert.throws(() => parseMountAllow('/a/../b'), /contains "\.\."/);
  });
});
