import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventsJson, isEnded, makeRepo, paddockEnv, runIdOf, statusJson, until } from './harness.ts';

describe('limits', () => {
  it('memory limit hit → failed, out of memory', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    // Allocate far past the limit inside the container (bash string growth is real RSS).
    const r = await e.cli(['spawn', '--repo', repo, '--memory', '256m', '--task', 'Use memory [[script:bash head -c 1500m /dev/zero | tail > /dev/null; echo survived]]']);
    assert.notEqual(r.code, 0);
    const id = runIdOf(r);
    const s = await statusJson(e, id);
    assert.equal(s.state, 'failed');
    assert.match(String(s.reason), /out of memory \(limit 256m\)/);
  });

  it('pids limit holds against a fork loop', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const loop = 'for i in $(seq 1 300); do sleep 30 2>/dev/null & done; wait';
    const id = (await e.cli(['spawn', '--repo', repo, '--detach', '--pids', '64', '--timeout', '2m', '--task', `Fork [[script:bash ${loop}]]`])).stdout.trim();
    const containerId = String(
      (
        await until(async () => {
          const s = await statusJson(e, id);
          return s.containerId ? s : false;
        }, 'a container')
      ).containerId,
    );
    // Count the container's tasks from the host while the loop runs (300+ if nothing held it). Podman's /top shows
    // nothing once the limit is reached, so read the pids cgroup through /stats.
    let most = 0;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
      const c = e.engine.getContainer(containerId);
      if (!(await c.inspect()).State.Running) break;
      const stats = (await c.stats({ stream: false, 'one-shot': true } as { stream: false }).catch(() => undefined)) as { pids_stats?: { current?: number } } | undefined;
      most = Math.max(most, stats?.pids_stats?.current ?? 0);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(most > 16, `the loop did fork (saw ${most} tasks)`);
    assert.ok(most <= 64, `never more than 64 tasks, saw ${most}`);
    const s = await until(
      async () => {
        const x = await statusJson(e, id);
        return isEnded(x) && x;
      },
      'the run to end',
      120_000,
    );
    // The agent CLI itself cannot start threads once the limit is reached, so the run fails, contained.
    assert.ok(['failed', 'completed'].includes(s.state), `${s.state}: ${String(s.reason)}`);
  });

  it('timeout → timed_out, and the container is gone within seconds', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const started = Date.now();
    const r = await e.cli(['spawn', '--repo', repo, '--timeout', '8s', '--task', 'Wait [[script:slow 120]]']);
    assert.equal(r.code, 124, r.stderr);
    assert.ok(Date.now() - started < 60_000);
    const id = runIdOf(r);
    const s = await statusJson(e, id);
    assert.equal(s.state, 'timed_out');
    assert.match(String(s.reason), /timed out after 8s/);
    const c = await e.engine.getContainer(String(s.containerId)).inspect();
    assert.equal(c.State.Running, false);
  });

  it('stop → cancelled in ≤ 5 s, the work so far kept on the run branch', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    e.model.script('write-then-wait', ({ cwd }) => [
      { tools: [{ name: 'Write', input: { file_path: `${cwd}/partial.txt`, content: 'partial work\n' } }] },
      { tools: [{ name: 'Bash', input: { command: 'timeout 300 tail -f /dev/null; echo slept', description: 'wait', timeout: 600000 } }] },
      { text: 'done' },
    ]);
    const r = await e.cli(['spawn', '--repo', repo, '--detach', '--branch', 'stop/me', '--task', 'Work [[script:write-then-wait]]']);
    const id = r.stdout.trim();
    await until(async () => (await eventsJson(e, id)).some((ev) => ev.kind === 'tool_use' && ev.data.name === 'Bash'), 'the agent to start sleeping', 120_000, 300);
    const s0 = await statusJson(e, id);
    const t0 = Date.now();
    const stop = await e.cli(['stop', id, '--no-wait']);
    const stopMs = Date.now() - t0;
    assert.equal(stop.code, 0, stop.stderr);
    const c = await e.engine.getContainer(String(s0.containerId)).inspect();
    assert.equal(c.State.Running, false);
    assert.ok(stopMs <= 5000, `container ended in ${stopMs} ms`);
    const s = await until(
      async () => {
        const x = await statusJson(e, id);
        return isEnded(x) && x;
      },
      'the run to end',
      60_000,
    );
    assert.equal(s.state, 'cancelled');
    assert.equal(s.reason, 'stopped by user');
    const { git } = await import('./harness.ts');
    assert.equal(await git(repo, 'show', 'stop/me:partial.txt'), 'partial work');
  });
});
