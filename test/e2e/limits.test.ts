import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventsJson, makeRepo, paddockEnv, statusJson, until } from './harness.ts';

const ended = (s: { state: string }) => ['completed', 'failed', 'cancelled', 'timed_out', 'crashed'].includes(s.state);

describe('limits', () => {
  it('memory limit hit → failed, out of memory', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    // Allocate far past the limit inside the container (bash string growth is real RSS).
    const r = await e.cli(['spawn', '--repo', repo, '--memory', '256m', '--task', 'Use memory [[script:bash head -c 1500m /dev/zero | tail > /dev/null; echo survived]]']);
    assert.notEqual(r.code, 0);
    const id = /run ([0-9a-f]{12})/.exec(r.stderr)?.[1] ?? '';
    const s = await statusJson(e, id);
    assert.equal(s.state, 'failed');
    assert.match(String(s.reason), /out of memory \(limit 256m\)/);
  });

  it('pids limit holds against a fork loop', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const cmd = 'for i in $(seq 1 300); do (sleep 20 &) 2>/dev/null; done; echo procs: $(ls /proc | grep -c "^[0-9]")';
    const r = await e.cli(['spawn', '--repo', repo, '--pids', '64', '--timeout', '2m', '--task', `Fork [[script:bash ${cmd}]]`]);
    const id = /run ([0-9a-f]{12})/.exec(r.stderr)?.[1] ?? '';
    const events = await eventsJson(e, id);
    const out = String(events.find((ev) => ev.kind === 'tool_result')?.data.content ?? '');
    const procs = Number(/procs: (\d+)/.exec(out)?.[1] ?? NaN);
    assert.ok(procs <= 64, `at most 64 processes, saw ${procs}: ${out.slice(0, 500)}`);
    const s = await statusJson(e, id);
    assert.ok(ended(s));
  });

  it('timeout → timed_out, and the container is gone within seconds', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const started = Date.now();
    const r = await e.cli(['spawn', '--repo', repo, '--timeout', '8s', '--task', 'Wait [[script:slow 120]]']);
    assert.equal(r.code, 124, r.stderr);
    assert.ok(Date.now() - started < 60_000);
    const id = /run ([0-9a-f]{12})/.exec(r.stderr)?.[1] ?? '';
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
      { tools: [{ name: 'Bash', input: { command: 'sleep 300', description: 'wait', timeout: 600000 } }] },
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
    const s = await until(async () => { const x = await statusJson(e, id); return ended(x) && x; }, 'the run to end', 60_000);
    assert.equal(s.state, 'cancelled');
    assert.equal(s.reason, 'stopped by user');
    const { git } = await import('./harness.ts');
    assert.equal(await git(repo, 'show', 'stop/me:partial.txt'), 'partial work');
  });
});
