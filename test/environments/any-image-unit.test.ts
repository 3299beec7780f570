/** The toolbox's pure parts (images/toolbox.ts) and the spec it changes (runtime/container-spec.ts), without an engine. */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { imageArchitectureProblem, interpOffset, needsToolbox, parseLdd, removeToolbox, setInterpreter, staleToolboxes, toolboxVersion } from '../../src/images/toolbox.ts';
import { buildAgentContainerSpec } from '../../src/runtime/index.ts';

describe('which images get the toolbox', () => {
  it("every image but Paddock's agent image and those built FROM it (they inherit its recipe label)", () => {
    assert.equal(needsToolbox({ 'dev.paddock.recipe': 'abc123' }), false);
    assert.equal(needsToolbox({ 'dev.paddock.recipe': 'abc123', 'dev.paddock.stack': 'python' }), false);
    assert.equal(needsToolbox({}), true);
    assert.equal(needsToolbox({ 'org.opencontainers.image.title': 'python' }), true);
    assert.equal(needsToolbox(undefined), true);
    assert.equal(needsToolbox({ 'dev.paddock.recipe': '' }), true, 'an empty label is no recipe');
  });

  it('an image for another architecture or OS is named as such; amd64 linux (or not reported) passes', () => {
    assert.equal(imageArchitectureProblem({ architecture: 'amd64', os: 'linux' }), undefined);
    assert.equal(imageArchitectureProblem({}), undefined);
    assert.match(imageArchitectureProblem({ architecture: 'arm64', os: 'linux' }) ?? '', /built for arm64.*amd64/);
    assert.match(imageArchitectureProblem({ architecture: 'amd64', os: 'windows' }) ?? '', /OS is windows/);
  });
});

describe('making dynamic binaries self-contained', () => {
  it("parses ldd's lines into libraries and the loader", () => {
    const out = [
      '\tlinux-vdso.so.1 (0x00007ffd)',
      '\tlibssl.so.3 => /lib/x86_64-linux-gnu/libssl.so.3 (0x00007fc7bc1e9000)',
      '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007fc7bba1e000)',
      '\t/lib64/ld-linux-x86-64.so.2 (0x00007fc7bc357000)',
    ].join('\n');
    const r = parseLdd(out);
    assert.equal(r.loader, '/lib64/ld-linux-x86-64.so.2');
    assert.deepEqual(
      [...r.libs],
      [
        ['libssl.so.3', '/lib/x86_64-linux-gnu/libssl.so.3'],
        ['libc.so.6', '/lib/x86_64-linux-gnu/libc.so.6'],
      ],
    );
  });

  it("rewrites a real binary's ELF interpreter in place, and refuses a path that does not fit", (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'paddock-toolbox-unit-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const bin = join(dir, 'true');
    copyFileSync('/usr/bin/true', bin);
    const before = readFileSync(bin);
    const at = interpOffset(before);
    assert.equal(before.subarray(at.offset, at.offset + at.size).toString('latin1'), '/lib64/ld-linux-x86-64.so.2\0');
    setInterpreter(bin, '/opt/paddock/ld.so');
    const after = readFileSync(bin);
    assert.equal(after.length, before.length, 'nothing moves');
    assert.equal(
      after
        .subarray(at.offset, at.offset + at.size)
        .toString('latin1')
        .replace(/\0+$/, ''),
      '/opt/paddock/ld.so',
    );
    assert.equal(Buffer.compare(after.subarray(0, at.offset), before.subarray(0, at.offset)), 0);
    assert.equal(Buffer.compare(after.subarray(at.offset + at.size), before.subarray(at.offset + at.size)), 0);
    assert.throws(() => setInterpreter(bin, `/opt/${'x'.repeat(40)}`), /longer than/);
    assert.throws(() => interpOffset(readFileSync('/bin/busybox')), /no PT_INTERP/, 'a static binary has none');
  });
});

describe('the container spec with the toolbox', () => {
  const input = {
    instance: 'i',
    runId: 'abcdef012345',
    sessionId: 's',
    name: 'paddock-abcdef012345',
    image: 'localhost/python:3',
    argv: ['claude', '-p', '--', 'hi'],
    env: { A: '1' },
    identity: { uid: 1_000_123, gid: 1_000_123, passwdFile: '/h/passwd', groupFile: '/h/group' },
    checkoutDir: '/h/runs/x/src',
    sessionVolume: 'paddock-home-s',
    relayDir: '/h/runs/x/relay',
    limits: { memoryBytes: 512 * 1024 ** 2, cpus: 1, pids: 512 },
    engine: 'podman' as const,
  };

  it('differs from the plain spec only in the entrypoint, one read-only mount and PADDOCK_TOOLBOX', () => {
    const plain = buildAgentContainerSpec(input) as unknown as Record<string, unknown> & { Env: string[]; HostConfig: { Binds: string[] } };
    const tb = buildAgentContainerSpec({ ...input, toolboxDir: '/var/cache/paddock/toolbox/v1' }) as unknown as typeof plain;
    assert.deepEqual(tb.Entrypoint, ['/opt/paddock/libexec/tini', '--', '/opt/paddock/libexec/bash', '/opt/paddock/libexec/paddock-agent-entry']);
    assert.equal(plain.Entrypoint, undefined, "Paddock's image keeps its own ENTRYPOINT");
    assert.deepEqual(
      tb.HostConfig.Binds.filter((b) => !plain.HostConfig.Binds.includes(b)),
      ['/var/cache/paddock/toolbox/v1:/opt/paddock:ro,nosuid,nodev'],
    );
    assert.deepEqual(
      tb.Env.filter((v) => !plain.Env.includes(v)),
      ['PADDOCK_TOOLBOX=/opt/paddock'],
    );
    const { Entrypoint: _e, Env: _v, HostConfig: th, ...restTb } = tb;
    const { Env: _pv, HostConfig: ph, ...restPlain } = plain;
    assert.deepEqual(restTb, restPlain);
    assert.deepEqual({ ...th, Binds: [] }, { ...ph, Binds: [] }, 'the same jail: user, limits, network, seccomp, read-only root');
  });

  it('on Docker the toolbox bind is read-only without the options Docker refuses', () => {
    const tb = buildAgentContainerSpec({ ...input, engine: 'docker', toolboxDir: '/tb' }) as unknown as { HostConfig: { Binds: string[] } };
    assert.ok(tb.HostConfig.Binds.includes('/tb:/opt/paddock:ro'));
  });
});

describe('old toolbox versions', () => {
  it('gc may remove a version that is not current and unused for longer than a run may live; never the current one', (t) => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'paddock-toolbox-gc-'));
    t.after(() => rmSync(cacheDir, { recursive: true, force: true }));
    const opts = { cacheDir, claudeCodeVersion: '2.1.332' };
    const current = toolboxVersion(opts);
    const day = 86_400_000;
    const now = Date.now();
    for (const [version, usedAgo] of [
      [current, 30 * day],
      ['2.1.300-aaaaaaaaaaaa', 8 * day],
      ['2.1.300-bbbbbbbbbbbb', 1 * day],
    ] as const) {
      const dir = join(cacheDir, 'toolbox', version);
      mkdirSync(join(dir, 'bin'), { recursive: true });
      writeFileSync(join(dir, 'bin', 'claude'), 'x');
      writeFileSync(`${dir}.used`, '');
      const at = new Date(now - usedAgo);
      utimesSync(`${dir}.used`, at, at);
    }
    mkdirSync(join(cacheDir, 'toolbox', '.prepare-x')); // a preparation under way is no version
    const stale = staleToolboxes(opts, 7 * day, now);
    assert.deepEqual(
      stale.map((s) => s.version),
      ['2.1.300-aaaaaaaaaaaa'],
    );
    removeToolbox(stale[0]!.dir);
    assert.equal(existsSync(stale[0]!.dir), false);
    assert.equal(existsSync(`${stale[0]!.dir}.used`), false);
    assert.deepEqual(staleToolboxes(opts, 7 * day, now), []);
  });
});
