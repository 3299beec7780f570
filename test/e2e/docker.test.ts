import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { eventsJson, git, makeRepo, paddockEnv, repoFingerprint, runIdOf, statusJson } from './harness.ts';

const DOCKER = process.env.PADDOCK_TEST_DOCKER_SOCKET ?? '/run/paddock/docker.sock';

describe("the same Paddock on Docker's engine", { skip: existsSync(DOCKER) ? false : `no Docker engine at ${DOCKER} (scripts/setup.sh --docker starts one)` }, () => {
  it('runs the real agent hardened, brings the branch back, and stops a run', async (t) => {
    const e = await paddockEnv(t, { PADDOCK_ENGINE_SOCKET: DOCKER });
    const repo = await makeRepo(t);
    const before = await repoFingerprint(repo);
    const probe = "id -u; grep CapEff /proc/self/status; echo ifaces: $(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ')";
    e.model.script('docker-probe', ({ cwd }) => [
      { tools: [{ name: 'Bash', input: { command: probe, description: 'probe' } }] },
      { tools: [{ name: 'Write', input: { file_path: `${cwd}/on-docker.txt`, content: 'docker\n' } }] },
      { text: 'done on docker' },
    ]);
    const r = await e.cli(['spawn', '--repo', repo, '--branch', 'dock/1', '--task', 'Probe [[script:docker-probe]]']);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const id = runIdOf(r);
    const out = String((await eventsJson(e, id)).find((ev) => ev.kind === 'tool_result')?.data.content);
    assert.match(out, /^10[0-6]\d{4}$/m, "the run's own UID from the reserved range");
    assert.match(out, /CapEff:\s+0000000000000000/);
    assert.match(out, /ifaces: lo$/m);
    assert.equal(await git(repo, 'show', 'dock/1:on-docker.txt'), 'docker');
    const after = await repoFingerprint(repo);
    assert.deepEqual({ ...after, refs: '' }, { ...before, refs: '' });
    const s = await statusJson(e, id);
    assert.match(String((await e.engine.version()).Version), /^\d/);
    assert.equal((await e.engine.getContainer(String(s.containerId)).inspect()).HostConfig.NetworkMode, 'none');

    const slow = (await e.cli(['spawn', '--repo', repo, '--detach', '--task', 'Wait [[script:slow 120]]'])).stdout.trim();
    for (;;) {
      if ((await eventsJson(e, slow)).some((ev) => ev.kind === 'tool_use')) break;
      await new Promise((res) => setTimeout(res, 300));
    }
    const t0 = Date.now();
    const stop = await e.cli(['stop', slow]);
    assert.equal(stop.code, 0, stop.stderr);
    assert.ok(Date.now() - t0 < 15_000);
    assert.equal((await statusJson(e, slow)).state, 'cancelled');
  });
});
