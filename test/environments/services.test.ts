/**
 * Services per run (docs/services.md), on the real Podman engine with the real Claude Code CLI and the scripted model:
 * two parallel runs, each with its own PostgreSQL service, write to "the same" table through the agent's Bash tool and
 * never see each other's rows, and their services are gone afterwards; a service that never becomes healthy fails the
 * run naming it, with nothing left running; --keep-services keeps them until gc.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { git, killDaemon, makeRepo, PODMAN_SOCKET, paddockEnv, statusJson, until, type Env } from '../e2e/harness.ts';
import { serviceImage } from './services-images.ts';

const images: Record<string, string> = {};

/** The run's containers by kind, and which of them run. */
async function runContainers(e: Env, runId: string): Promise<{ kind: string; name: string; running: boolean }[]> {
  const list = await e.engine.listContainers({ all: true, filters: { label: [`dev.paddock.instance=${e.instance()}`, `dev.paddock.run=${runId}`] } });
  return list.map((c) => ({ kind: c.Labels['dev.paddock.kind'] ?? '', name: c.Names[0] ?? c.Id, running: c.State === 'running' }));
}

async function ended(e: Env, id: string): Promise<Record<string, unknown> & { state: string }> {
  return until(
    async () => {
      const s = await statusJson(e, id);
      return ['completed', 'failed', 'crashed', 'cancelled', 'timed_out'].includes(s.state) ? s : undefined;
    },
    `run ${id} to end`,
    180_000,
    500,
  );
}

describe('services per run', () => {
  before(async () => {
    images.postgres = await serviceImage(PODMAN_SOCKET, 'postgres');
    images.redis = await serviceImage(PODMAN_SOCKET, 'redis');
    images.agent = await serviceImage(PODMAN_SOCKET, 'psqlAgent');
  });

  it('two parallel runs, each with its own PostgreSQL as db, write to the same table without seeing the other’s rows; both services gone after', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const file = join(repo, '..', `services-${Date.now()}.yaml`);
    writeFileSync(
      file,
      [
        'services:',
        '  - name: db',
        `    image: ${images.postgres}`,
        '    environment: { POSTGRES_USER: app }',
        '    healthcheck:',
        '      test: ["CMD", "pg_isready", "-h", "127.0.0.1", "-U", "app"]',
        '      interval: 300ms',
        '      retries: 100',
        '',
      ].join('\n'),
    );
    t.after(() => import('node:fs').then((fs) => fs.rmSync(file, { force: true })));
    e.model.script('psql', ({ arg, cwd }) => [
      {
        tools: [
          {
            name: 'Bash',
            input: {
              command: `psql -h db -U app -d postgres -v ON_ERROR_STOP=1 -qAt -c "CREATE TABLE IF NOT EXISTS notes (who text)" -c "INSERT INTO notes VALUES ('run-${arg}')" -c "SELECT string_agg(who, ',' ORDER BY who) FROM notes" > ${cwd}/rows.txt 2>&1; echo rc=$? >> ${cwd}/rows.txt`,
              description: 'write a row',
            },
          },
        ],
      },
      { text: `wrote run-${arg}` },
    ]);
    const spawned = await Promise.all(
      [1, 2].map((n) => e.cli(['spawn', '--repo', repo, '--branch', `svc/${n}`, '--image', images.agent!, '--services', file, '--detach', '--task', `Write a row [[script:psql ${n}]]`])),
    );
    const ids = spawned.map((r) => {
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.trim();
    });
    for (const [i, id] of ids.entries()) {
      const s = await ended(e, id);
      assert.equal(s.state, 'completed', `run ${id}: ${String(s.reason)} ${String(s.error)}`);
      assert.equal(await git(repo, 'show', `svc/${i + 1}:rows.txt`), `run-${i + 1}\nrc=0`, 'each run sees only its own row');
      const left = await runContainers(e, id);
      assert.deepEqual(
        left.filter((c) => c.kind === 'service'),
        [],
        'the service containers are removed',
      );
      assert.ok(!left.some((c) => c.running), `nothing of the run still runs: ${JSON.stringify(left)}`);
      const notes = (await e.cli(['logs', id])).stdout;
      assert.match(notes, /service db is healthy/);
    }
  });

  it('a service that never becomes healthy fails the run, naming it with its last log lines, and nothing is left running', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const file = join(repo, '..', `bad-services-${Date.now()}.json`);
    writeFileSync(file, JSON.stringify([{ name: 'cache', image: images.redis, healthcheck: { test: ['CMD', 'redis-cli', '-p', '6390', 'ping'], interval: 0.2, retries: 3 } }]));
    t.after(() => import('node:fs').then((fs) => fs.rmSync(file, { force: true })));
    const r = await e.cli(['spawn', '--repo', repo, '--services', file, '--detach', '--task', 'Say hi [[script:hello]]']);
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.trim();
    const s = await ended(e, id);
    assert.equal(s.state, 'failed');
    assert.match(String(s.reason), /service cache \(.*\) never became healthy: 3 failed checks/);
    assert.match(String(s.reason), /Its last log lines:[\s\S]*Ready to accept connections/);
    assert.deepEqual(await runContainers(e, id), [], 'no container of the run is left');
  });

  it('a run stopped while its service is still unhealthy ends cancelled before its agent starts, with nothing left', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const file = join(repo, '..', `waiting-services-${Date.now()}.json`);
    writeFileSync(file, JSON.stringify([{ name: 'cache', image: images.redis, healthcheck: { test: ['CMD', 'false'], interval: 0.2, retries: 1000 } }]));
    t.after(() => import('node:fs').then((fs) => fs.rmSync(file, { force: true })));
    const r = await e.cli(['spawn', '--repo', repo, '--services', file, '--detach', '--task', 'Say hi [[script:hello]]']);
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.trim();
    await until(async () => (await e.cli(['logs', id])).stdout.includes('service cache'), 'the service to start', 120_000, 300);
    const stop = await e.cli(['stop', id]);
    assert.equal(stop.code, 0, stop.stderr);
    const s = await ended(e, id);
    assert.equal(s.state, 'cancelled', String(s.reason));
    assert.match(String(s.reason), /stopped by user before the agent started/);
    assert.deepEqual(await runContainers(e, id), [], 'no container of the run is left');
  });

  it('a SIGKILLed daemon loses nothing: the next one adopts the run, and stopping it then tears its service down', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const r = await e.cli(['spawn', '--repo', repo, '--service', `cache=${images.redis}`, '--detach', '--task', 'Take your time [[script:slow 120]]']);
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.trim();
    await until(async () => (await statusJson(e, id)).state === 'running', 'the run to be running', 120_000, 300);
    await killDaemon(e.home);
    assert.ok(
      (await runContainers(e, id)).some((c) => c.kind === 'service' && c.running),
      'the service runs on without a daemon',
    );
    const stop = await e.cli(['stop', id]); // starts a daemon, which adopts the run, then stops it
    assert.equal(stop.code, 0, stop.stderr);
    const s = await ended(e, id);
    assert.equal(s.state, 'cancelled', String(s.reason));
    const left = await runContainers(e, id);
    assert.deepEqual(
      left.filter((c) => c.kind === 'service'),
      [],
      'the service is removed when the adopted run ends',
    );
    assert.ok(!left.some((c) => c.running), `nothing of the run still runs: ${JSON.stringify(left)}`);
  });

  it('--keep-services keeps a finished run’s services running for inspection; gc removes them', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const r = await e.cli(['spawn', '--repo', repo, '--service', `cache=${images.redis}`, '--keep-services', '--detach', '--task', 'Say hi [[script:hello]]']);
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.trim();
    const s = await ended(e, id);
    assert.equal(s.state, 'completed', String(s.reason));
    const kept = await runContainers(e, id);
    assert.ok(
      kept.some((c) => c.kind === 'service' && c.running),
      `the service still runs: ${JSON.stringify(kept)}`,
    );
    const gc = await e.cli(['gc']);
    assert.equal(gc.code, 0, gc.stderr);
    assert.deepEqual(await runContainers(e, id), [], 'gc removed the service, its namespace and the agent container');
  });
});
