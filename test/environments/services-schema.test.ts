/** Services per run, without an engine: the schema's normalisation and refusals, the hosts file, the container specs. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildAgentContainerSpec, buildNetnsHolderSpec, buildServiceContainerSpec } from '../../src/runtime/index.ts';
import { hostsFileText, netnsLast, normaliseServices, startOrder } from '../../src/services/index.ts';

const refused = (input: unknown, re: RegExp) =>
  assert.throws(
    () => normaliseServices(input),
    (e: Error & { code?: string }) => e.code === 'INVALID_INPUT' && re.test(e.message),
  );

describe('services schema', () => {
  it('normalises commands, environments and health checks (CMD, CMD-SHELL, string, NONE)', () => {
    const [a, b, c, d] = normaliseServices([
      { name: 'db', image: 'pg', environment: ['A=1', 'B=x=y'], healthcheck: { test: ['CMD', 'pg_isready'], interval: '500ms', timeout: 2, retries: 5 } },
      { name: 'cache', image: 'redis', command: 'redis-server --port 6380', healthcheck: { test: ['CMD-SHELL', 'redis-cli ping'] }, depends_on: ['db'] },
      { name: 'web', image: 'x', healthcheck: { test: 'curl -f localhost', start_period: '1m' } },
      { name: 'none', image: 'x', healthcheck: { test: ['NONE'] } },
    ]);
    assert.deepEqual(a, {
      name: 'db',
      image: 'pg',
      environment: { A: '1', B: 'x=y' },
      healthcheck: { argv: ['pg_isready'], intervalMs: 500, timeoutMs: 2000, retries: 5, startPeriodMs: 0 },
      dependsOn: [],
    });
    assert.deepEqual(b?.command, ['redis-server', '--port', '6380']);
    assert.deepEqual(b?.healthcheck?.argv, ['/bin/sh', '-c', 'redis-cli ping']);
    assert.deepEqual(b?.dependsOn, ['db']);
    assert.equal(c?.healthcheck?.startPeriodMs, 60_000);
    assert.equal(d?.healthcheck, undefined);
  });

  it('refuses bad names, duplicates, unknown or cyclic dependencies, unknown keys and bad durations, naming the field', () => {
    refused([{ name: 'DB', image: 'x' }], /services\.0\.name: a service name is a DNS label/);
    refused([{ name: 'localhost', image: 'x' }], /reserved/);
    refused(
      [
        { name: 'db', image: 'x' },
        { name: 'db', image: 'y' },
      ],
      /two services are named db/,
    );
    refused([{ name: 'a', image: 'x', depends_on: ['b'] }], /service a depends on b, which is not one of the run's services/);
    refused(
      [
        { name: 'a', image: 'x', depends_on: ['b'] },
        { name: 'b', image: 'x', depends_on: ['a'] },
      ],
      /depends_on forms a cycle \(a → b → a\)/,
    );
    refused([{ name: 'a', image: 'x', ports: ['80:80'] }], /services\.0: Unrecognized key: "ports"/);
    refused([{ name: 'a', image: 'x', healthcheck: { test: ['CMD', 'true'], interval: 'soon' } }], /services\[0\]\.healthcheck\.interval: "soon" is not a duration/);
    refused([{ name: 'a', image: 'x', environment: ['NOEQUALS'] }], /is not NAME=value/);
    refused(
      Array.from({ length: 9 }, (_, i) => ({ name: `s${i}`, image: 'x' })),
      /at most 8|Too big/i,
    );
  });

  it('starts each service after what it depends on', () => {
    const order = startOrder(
      normaliseServices([
        { name: 'web', image: 'x', depends_on: ['api'] },
        { name: 'api', image: 'x', depends_on: ['db', 'cache'] },
        { name: 'db', image: 'x' },
        { name: 'cache', image: 'x' },
      ]),
    ).map((s) => s.name);
    assert.deepEqual(order, ['db', 'cache', 'api', 'web']);
  });

  it('the hosts file names every service on loopback; holders are removed after what joined them', () => {
    assert.equal(hostsFileText('0123456789ab', ['db', 'cache']), '127.0.0.1\tlocalhost\n127.0.0.1\tpaddock-01234567\n127.0.0.1\tdb\n127.0.0.1\tcache\n::1\tlocalhost ip6-localhost ip6-loopback\n');
    const order = netnsLast([{ labels: { 'dev.paddock.kind': 'netns' } }, { labels: { 'dev.paddock.kind': 'agent' } }, { labels: { 'dev.paddock.kind': 'service' } }]).map(
      (c) => c.labels['dev.paddock.kind'],
    );
    assert.deepEqual(order, ['agent', 'service', 'netns']);
  });
});

describe('service container specs', () => {
  const netns = { containerId: 'abc123', hostsFile: '/var/paddock/runs/x/hosts' };
  it('a service: no capabilities, no new privileges, read-only root, tmpfs /tmp and /run, limits, the run namespace, its own user', () => {
    const spec = buildServiceContainerSpec({
      instance: 'i',
      runId: 'r1',
      service: 'db',
      name: 'paddock-r1-svc-db',
      image: 'pg',
      env: { A: '1' },
      netns,
      limits: { memoryBytes: 512 << 20, cpus: 1, pids: 256 },
      tmpBytes: 1 << 20,
      engine: 'podman',
    });
    const h = spec.HostConfig!;
    assert.deepEqual(h.CapDrop, ['ALL']);
    assert.equal(h.CapAdd, undefined);
    assert.ok(h.SecurityOpt?.includes('no-new-privileges'));
    assert.equal(h.ReadonlyRootfs, true);
    assert.equal(h.Privileged, false);
    assert.deepEqual(Object.keys(h.Tmpfs ?? {}), ['/tmp', '/run']);
    assert.equal(h.NetworkMode, 'container:abc123');
    assert.deepEqual(h.Binds, ['/var/paddock/runs/x/hosts:/etc/hosts:ro']);
    assert.equal(h.Memory, 512 << 20);
    assert.equal(h.PidsLimit, 256);
    assert.equal(spec.User, undefined, "the image's own user");
    assert.equal(spec.Labels?.['dev.paddock.kind'], 'service');
    assert.equal(spec.Labels?.['dev.paddock.service'], 'db');
    assert.equal(spec.Labels?.['dev.paddock.run'], 'r1');
  });

  it('the namespace holder has no network but loopback; the agent joins it, with the hosts file and no hostname of its own', () => {
    const holder = buildNetnsHolderSpec({ instance: 'i', runId: 'r1', name: 'paddock-r1-netns', image: 'agent', engine: 'docker' });
    assert.equal(holder.HostConfig?.NetworkMode, 'none');
    assert.deepEqual(holder.HostConfig?.CapDrop, ['ALL']);
    assert.equal(holder.Labels?.['dev.paddock.kind'], 'netns');
    const identity = { uid: 200000, gid: 200000, passwdFile: '/p', groupFile: '/g' };
    const base = {
      instance: 'i',
      runId: 'r1',
      sessionId: 's',
      name: 'paddock-r1',
      image: 'agent',
      argv: ['claude'],
      env: {},
      identity,
      checkoutDir: '/c',
      sessionVolume: 'v',
      relayDir: '/relay',
      limits: { memoryBytes: 512 << 20, cpus: 1, pids: 512 },
      engine: 'podman' as const,
    };
    const plain = buildAgentContainerSpec(base);
    assert.equal(plain.HostConfig?.NetworkMode, 'none');
    const joined = buildAgentContainerSpec({ ...base, netns });
    assert.equal(joined.HostConfig?.NetworkMode, 'container:abc123');
    assert.equal(joined.Hostname, undefined);
    assert.ok(joined.HostConfig?.Binds?.includes('/var/paddock/runs/x/hosts:/etc/hosts:ro'));
    assert.deepEqual(joined.HostConfig?.CapDrop, ['ALL']);
  });
});
