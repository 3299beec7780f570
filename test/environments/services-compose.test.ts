/**
 * Compose environments (docs/services.md): the agent runs in the named service of a Compose file, a Redis service
 * beside it (real Podman, real Claude Code CLI, scripted model); a key outside the subset Paddock runs is refused by
 * name with nothing made. The mapping itself without an engine.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { spawnInputOf } from '../../src/api/compat/map.ts';
import { openPaddock } from '../../src/app/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { composeEnvironment } from '../../src/services/index.ts';
import { git, leftovers, makeRepo, PODMAN_SOCKET, paddockEnv, statusJson, until } from '../e2e/harness.ts';
import { serviceImage } from './services-images.ts';

const refused = (doc: unknown, re: RegExp, service = 'app') =>
  assert.throws(
    () => composeEnvironment(doc, service),
    (e: Error & { code?: string }) => e.code === 'INVALID_INPUT' && re.test(e.message),
  );

describe('compose files', () => {
  it('maps the agent’s service to the run’s image and the others to its services', () => {
    const env = composeEnvironment(
      {
        name: 'demo',
        services: {
          app: { image: 'localhost/paddock-agent:latest', depends_on: ['db'] },
          db: {
            image: 'pg',
            environment: { POSTGRES_USER: 'app', PORT: 5432 },
            healthcheck: { test: ['CMD-SHELL', 'pg_isready'], interval: '1s', retries: 10 },
          },
          cache: { image: 'redis', command: 'redis-server --port 6380', depends_on: { db: { condition: 'service_healthy' } } },
        },
      },
      'app',
    );
    assert.equal(env.image, 'localhost/paddock-agent:latest');
    assert.deepEqual(
      env.services.map((s) => [s.name, s.image, s.dependsOn]),
      [
        ['db', 'pg', []],
        ['cache', 'redis', ['db']],
      ],
    );
    assert.deepEqual(env.services[0]?.environment, { POSTGRES_USER: 'app', PORT: '5432' });
    assert.deepEqual(env.services[0]?.healthcheck?.argv, ['/bin/sh', '-c', 'pg_isready']);
    assert.deepEqual(env.services[1]?.command, ['redis-server', '--port', '6380']);
  });

  it('refuses what the Compose schema refuses, and every key outside the subset Paddock runs, naming it', () => {
    refused({ services: { app: { image: 'a', bogus: 1 } } }, /compose\.services\.app: must NOT have additional properties \(bogus\), by the Compose Specification's schema/);
    refused({ services: { app: { image: 'a' }, db: { image: 'pg', ports: ['5432:5432'] } } }, /compose\.services\.db\.ports: services publish no ports/);
    refused({ services: { app: { image: 'a' }, db: { image: 'pg', volumes: ['/etc:/x'] } } }, /compose\.services\.db\.volumes: volumes are not mounted/);
    refused({ services: { app: { image: 'a' }, db: { build: '.' } } }, /compose\.services\.db\.build: Paddock builds no images/);
    refused(
      { services: { app: { image: 'a' }, db: { image: 'pg', restart: 'always' } } },
      /compose\.services\.db\.restart: not in the subset Paddock runs \(image, command, environment, healthcheck, depends_on\)/,
    );
    refused({ services: { app: { image: 'a', command: 'x' } } }, /compose\.services\.app\.command: the agent's service runs the agent CLI/);
    refused({ services: { app: { image: 'a' } }, volumes: { data: {} } }, /compose\.volumes: volumes are not mounted/);
    refused({ services: { app: { image: 'a' }, db: { image: 'pg', environment: { A: null } } } }, /environment\.A has no value/);
    refused({ services: { db: { image: 'pg' } } }, /compose service app: the file has no such service/);
  });
});

describe("Stromboli's face", () => {
  it('podman.environment type compose becomes a Compose run, and the top-level services list the run’s services', async (t) => {
    const home = mkdtempSync(join(tmpdir(), 'paddock-compose-map-'));
    const p = openPaddock(loadConfig({ PADDOCK_HOME: home }));
    t.after(async () => {
      await p.close();
      rmSync(home, { recursive: true, force: true });
    });
    const { input } = await spawnInputOf(p, {
      prompt: 'x',
      podman: { environment: { type: 'compose', path: '/srv/app/compose.yaml', service: 'app' } },
      services: [{ name: 'db', image: 'pg' }],
    } as never);
    assert.deepEqual(input.compose, { path: '/srv/app/compose.yaml', service: 'app' });
    assert.deepEqual(input.services, [{ name: 'db', image: 'pg' }]);
    await assert.rejects(spawnInputOf(p, { prompt: 'x', podman: { environment: { type: 'compose' } } } as never), /podman\.environment: type compose needs path/);
    await assert.rejects(spawnInputOf(p, { prompt: 'x', container: { environment: { type: 'swarm' } } } as never), /container\.environment\.type "swarm": expected "compose" or ""/);
  });
});

describe('compose environments on the engine', () => {
  let redis = '';
  before(async () => {
    redis = await serviceImage(PODMAN_SOCKET, 'redis');
  });

  it('runs the agent in its named service beside a Redis service it reaches by name', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const file = join(repo, '..', `compose-${Date.now()}.yaml`);
    writeFileSync(
      file,
      [
        'name: demo',
        'services:',
        '  app:',
        '    image: localhost/paddock-agent:latest',
        '    depends_on: [cache]',
        '  cache:',
        `    image: ${redis}`,
        '    healthcheck:',
        '      test: ["CMD", "redis-cli", "ping"]',
        '      interval: 200ms',
        '      retries: 50',
        '',
      ].join('\n'),
    );
    t.after(() => rmSync(file, { force: true }));
    e.model.script('redis', ({ cwd }) => [
      {
        tools: [
          {
            name: 'Bash',
            input: {
              command: `exec 3<>/dev/tcp/cache/6379 && printf 'SET who agent\\r\\nGET who\\r\\n' >&3 && head -c 14 <&3 | tr -d '\\r' > ${cwd}/redis.txt; echo "$(hostname)" > ${cwd}/host.txt`,
              description: 'talk to redis',
            },
          },
        ],
      },
      { text: 'done' },
    ]);
    const r = await e.cli(['spawn', '--repo', repo, '--branch', 'compose/1', '--compose', file, '--compose-service', 'app', '--detach', '--task', 'Talk to the cache [[script:redis]]']);
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.trim();
    const s = await until(
      async () => {
        const st = await statusJson(e, id);
        return ['completed', 'failed', 'crashed'].includes(st.state) ? st : undefined;
      },
      'the run to end',
      180_000,
      500,
    );
    assert.equal(s.state, 'completed', `${String(s.reason)} ${String(s.error)}`);
    assert.equal(await git(repo, 'show', 'compose/1:redis.txt'), '+OK\n$5\nagent');
    const agent = (await e.engine.listContainers({ all: true, filters: { label: [`dev.paddock.run=${id}`, 'dev.paddock.kind=agent'] } }))[0];
    assert.equal(agent?.Image, 'localhost/paddock-agent:latest', "the agent ran in the service's image");
    const services = await e.engine.listContainers({ all: true, filters: { label: [`dev.paddock.run=${id}`, 'dev.paddock.kind=service'] } });
    assert.deepEqual(services, [], 'the Redis service is gone after the run');
  });

  it('a Compose key outside the subset is refused at spawn, naming it, with nothing made', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const file = join(repo, '..', `compose-bad-${Date.now()}.yml`);
    writeFileSync(file, `services:\n  app:\n    image: localhost/paddock-agent:latest\n  cache:\n    image: ${redis}\n    ports: ["6379:6379"]\n`);
    t.after(() => rmSync(file, { force: true }));
    const r = await e.cli(['spawn', '--repo', repo, '--compose', file, '--compose-service', 'app', '--detach', '--task', 'hi [[script:hello]]']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /compose\.services\.cache\.ports: services publish no ports/);
    const ls = await e.cli(['ls', '--json']);
    assert.deepEqual(JSON.parse(ls.stdout), [], 'no run was recorded');
    assert.deepEqual((await leftovers(e)).containers, [], 'no container was made');
  });
});
