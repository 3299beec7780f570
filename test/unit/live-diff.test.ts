/** The live diff's pure parts: the helper container's spec (hardened, nothing writable mounted) and its output parser. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildHelperContainerSpec, SECCOMP_PROFILE_JSON } from '../../src/runtime/index.ts';
import { liveDiffArgv, parseLiveDiffOutput } from '../../src/workspace/index.ts';

const b64 = (s: string | Buffer) =>
  Buffer.from(s)
    .toString('base64')
    .match(/.{1,76}/g) ?? [''];
const output = (parts: Record<string, string>) => Object.entries(parts).flatMap(([name, body]) => [`== ${name}`, ...(name === 'end' ? [] : b64(body))]);

describe('live diff helper container spec', () => {
  const spec = buildHelperContainerSpec({
    instance: 'i1',
    runId: 'abcdef123456',
    name: 'paddock-diff-x',
    image: 'img',
    argv: ['bash', '-c', 'true'],
    readOnlyMounts: [
      { host: '/home/u/.paddock/runs/abcdef123456/src', container: '/workspace' },
      { host: '/repo/.git/objects', container: '/repo/.git/objects' },
    ],
    limits: { memoryBytes: 256 * 1024 * 1024, cpus: 1, pids: 64 },
    tmpBytes: 64 * 1024 * 1024,
    user: { uid: 1_000_123, gid: 1_000_123 },
    engine: 'docker',
  });
  it("has the agent's hardening, no network, and every mount read-only", () => {
    const h = spec.HostConfig!;
    assert.equal(spec.User, '1000123:1000123');
    assert.equal(h.NetworkMode, 'none');
    assert.deepEqual(h.CapDrop, ['ALL']);
    assert.deepEqual(h.SecurityOpt, ['no-new-privileges', `seccomp=${SECCOMP_PROFILE_JSON}`]);
    assert.equal(h.ReadonlyRootfs, true);
    assert.equal(h.Privileged, false);
    assert.equal(h.Memory, 256 * 1024 * 1024);
    assert.equal(h.MemorySwap, 256 * 1024 * 1024);
    assert.equal(h.PidsLimit, 64);
    assert.deepEqual(h.Binds, ['/home/u/.paddock/runs/abcdef123456/src:/workspace:ro', '/repo/.git/objects:/repo/.git/objects:ro']);
    assert.deepEqual(Object.keys(h.Tmpfs ?? {}), ['/tmp']);
    assert.ok(!(spec.Env ?? []).some((e) => e.startsWith('PADDOCK_RUN_ID=')), 'no model bridge');
    assert.equal(spec.Labels?.['dev.paddock.kind'], 'helper');
    assert.equal(spec.Labels?.['dev.paddock.run'], 'abcdef123456');
  });
  it("refuses mount paths that would change the bind's meaning", () => {
    for (const host of ['relative/path', '/a:/b', '/a,b', '/a\nb']) {
      assert.throws(
        () =>
          buildHelperContainerSpec({
            instance: 'i',
            runId: 'r',
            name: 'n',
            image: 'i',
            argv: [],
            readOnlyMounts: [{ host, container: '/workspace' }],
            limits: { memoryBytes: 1, cpus: 1, pids: 16 },
            tmpBytes: 1,
            user: { uid: 1_000_123, gid: 1_000_123 },
            engine: 'docker',
          }),
        /absolute/,
      );
    }
  });
  it('passes the values as positional parameters of a fixed script, never into its text', () => {
    const a = liveDiffArgv({ baseSha: 'a'.repeat(40), branch: 'paddock/x; rm -rf /', objectsDir: '/o', objectFormat: 'sha1', maxBytes: 10 });
    assert.deepEqual(a.slice(0, 2), ['bash', '-c']);
    assert.ok(!a[2]!.includes('rm -rf'));
    assert.deepEqual(a.slice(3), ['paddock-live-diff', 'a'.repeat(40), 'paddock/x; rm -rf /', '/o', 'sha1', '10']);
    assert.throws(() => liveDiffArgv({ baseSha: '--output=/x', branch: 'b', objectsDir: '/o', objectFormat: 'sha1', maxBytes: 1 }));
  });
});

describe('live diff output', () => {
  it('decodes each part; file names are data (dashes, spaces, newlines)', () => {
    const r = parseLiveDiffOutput(
      output({
        patch: 'diff --git a/-n x b/-n x\n',
        stat: ' -n x | 1 +\n',
        numstat: '1\t0\t-n x\0' + '2\t1\t\0old\nname\0new\0',
        namestatus: 'A\0-n x\0R100\0old\nname\0new\0',
        end: '',
      }),
      1000,
    );
    assert.equal(r.text, 'diff --git a/-n x b/-n x\n');
    assert.deepEqual(
      r.summary.files.map((f) => f.path),
      ['-n x', 'new'],
    );
    assert.equal(r.summary.files[1]!.oldPath, 'old\nname');
    assert.deepEqual(r.statuses, { '-n x': 'added', new: 'renamed' });
    assert.equal(r.summary.insertions, 3);
    assert.equal(r.truncated, false);
  });
  it('cuts a part over the bound and says so', () => {
    const r = parseLiveDiffOutput(output({ patch: 'x'.repeat(101), stat: '', numstat: '', namestatus: '', end: '' }), 100);
    assert.equal(r.text.length, 100);
    assert.equal(r.truncated, true);
  });
  it('a helper error, an incomplete output or a line that is not its output is an error', () => {
    assert.throws(() => parseLiveDiffOutput(output({ error: 'add: unable to index file fifo' }), 100), /unable to index file fifo/);
    assert.throws(() => parseLiveDiffOutput(output({ patch: 'x', stat: '' }), 100), /before its output was complete/);
    assert.throws(() => parseLiveDiffOutput(['== patch', 'not base64 at all!'], 100), /not its output/);
  });
});
