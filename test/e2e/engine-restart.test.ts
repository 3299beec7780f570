import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { eventsJson, isEnded, makeRepo, paddockEnv, statusJson, until } from './harness.ts';

/** A Podman API service of this test's own, on its own socket: taking it down touches no other test. */
function startService(socket: string): ChildProcess {
  const child = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], { cwd: join(socket, '..'), stdio: 'ignore' });
  return child;
}

describe("the engine's API service goes away mid-run", { skip: existsSync('/usr/bin/podman') ? false : 'needs podman' }, () => {
  it('the supervisor retries, and the run completes with nothing lost', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'paddock-svc-'));
    const socket = join(dir, 'podman.sock');
    let service = startService(socket);
    t.after(() => {
      service.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });
    await until(() => existsSync(socket), 'the private podman service', 20_000, 100);

    const e = await paddockEnv(t, { PADDOCK_ENGINE_SOCKET: socket });
    const repo = await makeRepo(t);
    e.model.script('outlive', ({ cwd }) => [
      { tools: [{ name: 'Bash', input: { command: 'timeout 8 tail -f /dev/null; echo waited', description: 'wait', timeout: 600000 } }] },
      { tools: [{ name: 'Write', input: { file_path: `${cwd}/after.txt`, content: 'after the outage\n' } }] },
      { text: 'survived the outage' },
    ]);
    const id = (await e.cli(['spawn', '--repo', repo, '--detach', '--task', 'Outlive [[script:outlive]]'])).stdout.trim();
    await until(async () => (await eventsJson(e, id)).some((ev) => ev.kind === 'tool_use'), 'the agent to be waiting', 120_000, 300);

    // Take the API away for a few seconds (the container itself lives on under conmon), then bring it back.
    service.kill('SIGTERM');
    await new Promise((r) => service.on('exit', r));
    await new Promise((r) => setTimeout(r, 3000));
    service = startService(socket);

    const s = await until(
      async () => {
        const x = await statusJson(e, id);
        return isEnded(x) && x;
      },
      'the run to end',
      120_000,
      500,
    );
    assert.equal(s.state, 'completed', `${String(s.reason)} ${String(s.error)}`);
    const events = await eventsJson(e, id);
    assert.deepEqual(
      events.map((ev) => ev.seq),
      events.map((_, i) => i + 1),
    );
    assert.equal(events.filter((ev) => ev.kind === 'result').length, 1);
    assert.ok(events.some((ev) => ev.kind === 'text' && ev.data.text === 'survived the outage'));
    assert.match(readFileSync(join(e.home, 'logs', 'daemon.log'), 'utf8'), /attempt 1 failed .*; retrying/, 'the outage was seen and retried');
  });
});
