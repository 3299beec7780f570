import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { eventsJson, isEnded, killDaemon, makeRepo, paddockEnv, statusJson, until, type Env } from './harness.ts';

async function containerLogLines(e: Env, containerId: string): Promise<number> {
  const buf = (await e.engine.getContainer(containerId).logs({ stdout: true, stderr: false, follow: false })) as unknown as Buffer;
  // Multiplexed frames: 8-byte header (stream, 0, 0, 0, size BE) + payload.
  let text = '';
  for (let i = 0; i + 8 <= buf.length; ) {
    const size = buf.readUInt32BE(i + 4);
    text += buf.subarray(i + 8, i + 8 + size).toString('utf8');
    i += 8 + size;
  }
  return text.split('\n').filter((l) => l.length > 0).length;
}

describe('the daemon killed with SIGKILL during live runs', () => {
  it('both runs end in their true state (one ends while Paddock is dead), with every event kept once', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    e.model.script('two-sleeps', ({ arg, cwd }) => [
      { tools: [{ name: 'Bash', input: { command: `timeout ${arg} tail -f /dev/null; echo first-${arg}`, description: 'wait', timeout: 600000 } }] },
      { tools: [{ name: 'Write', input: { file_path: `${cwd}/out-${arg}.txt`, content: `done ${arg}\n` } }] },
      { text: `finished ${arg}` },
    ]);
    // A: still running when Paddock comes back (its next model call waits for the relay, retrying).
    // B: its container ends while Paddock is dead (the agent's own command terminates it; it needs no model for that).
    e.model.script('self-term', [
      { tools: [{ name: 'Bash', input: { command: 'timeout 4 tail -f /dev/null; echo bye; kill -TERM 1', description: 'end', timeout: 600000 } }] },
      { text: 'unreachable' },
    ]);
    const a = (await e.cli(['spawn', '--repo', repo, '--detach', '--task', 'A [[script:two-sleeps 12]]'])).stdout.trim();
    const b = (await e.cli(['spawn', '--repo', repo, '--detach', '--task', 'B [[script:self-term]]'])).stdout.trim();
    for (const id of [a, b]) await until(async () => (await eventsJson(e, id)).some((ev) => ev.kind === 'tool_use'), `run ${id} to be working`, 120_000, 300);

    // Kill the daemon that supervises them.
    for (const id of [a, b]) assert.equal((await statusJson(e, id)).supervised, true, 'each run has a live supervisor');
    await killDaemon(e.home);

    // B's container finishes with nobody watching.
    const bContainer = String((await statusJson(e, b)).containerId);
    await until(async () => !(await e.engine.getContainer(bContainer).inspect()).State.Running, 'B to finish unsupervised', 120_000, 300);

    // Start Paddock again: any command reconciles and adopts both.
    const ls = await e.cli(['ls']);
    assert.equal(ls.code, 0, ls.stderr);
    for (const id of [a, b]) await until(async () => ['completed', 'failed', 'crashed'].includes((await statusJson(e, id)).state), `run ${id} to end`, 180_000, 500);

    const sb = await statusJson(e, b);
    assert.equal(sb.state, 'failed');
    assert.equal(sb.reason, 'the agent exited with code 143', "the finished container's result was collected");
    const eb = await eventsJson(e, b);
    assert.deepEqual(
      eb.map((ev) => ev.seq),
      eb.map((_, i) => i + 1),
    );
    assert.ok(eb.some((ev) => ev.kind === 'init') && eb.some((ev) => ev.kind === 'tool_use'));
    assert.equal(Number(sb.stdoutLines), await containerLogLines(e, String(sb.containerId)));

    for (const [id, n] of [[a, 12]] as const) {
      const s = await statusJson(e, id);
      assert.equal(s.state, 'completed', `${id}: ${String(s.reason)} ${String(s.error)}`);
      const events = await eventsJson(e, id);
      assert.deepEqual(
        events.map((ev) => ev.seq),
        events.map((_, i) => i + 1),
        'ids are 1..N with no gaps',
      );
      const agent = events.filter((ev) => ev.source === 'agent');
      assert.equal(agent.filter((ev) => ev.kind === 'init').length, 1);
      assert.equal(agent.filter((ev) => ev.kind === 'tool_use').length, 2);
      assert.equal(agent.filter((ev) => ev.kind === 'tool_result').length, 2);
      assert.equal(agent.filter((ev) => ev.kind === 'result').length, 1);
      assert.ok(agent.some((ev) => ev.kind === 'tool_result' && String(ev.data.content).includes(`first-${n}`)));
      assert.ok(agent.some((ev) => ev.kind === 'text' && ev.data.text === `finished ${n}`));
      assert.equal(Number(s.stdoutLines), await containerLogLines(e, String(s.containerId)), 'every line of the container log was stored, once');
    }
  });

  it('a run whose container vanished while Paddock was down is crashed, with a reason', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    const id = (await e.cli(['spawn', '--repo', repo, '--detach', '--task', 'Wait [[script:slow 60]]'])).stdout.trim();
    await until(async () => (await eventsJson(e, id)).some((ev) => ev.kind === 'tool_use'), 'the agent to be working', 120_000, 300);
    const s0 = await statusJson(e, id);
    await killDaemon(e.home);
    await e.engine.getContainer(String(s0.containerId)).remove({ force: true });
    await e.cli(['ls']);
    const s = await until(
      async () => {
        const x = await statusJson(e, id);
        return isEnded(x) && x;
      },
      'the run to end',
      60_000,
    );
    assert.equal(s.state, 'crashed');
    assert.equal(s.reason, 'the container disappeared');
  });

  it('stop on a run that already finished unsupervised keeps its true outcome', async (t) => {
    const e = await paddockEnv(t);
    const repo = await makeRepo(t);
    e.model.script('self-term', [{ tools: [{ name: 'Bash', input: { command: 'timeout 2 tail -f /dev/null; kill -TERM 1', description: 'end', timeout: 600000 } }] }, { text: 'unreachable' }]);
    const id = (await e.cli(['spawn', '--repo', repo, '--detach', '--task', 'Quick [[script:self-term]]'])).stdout.trim();
    await until(async () => (await eventsJson(e, id)).some((ev) => ev.kind === 'tool_use'), 'the agent to be working', 120_000, 200);
    const s0 = await statusJson(e, id);
    await killDaemon(e.home);
    await until(async () => !(await e.engine.getContainer(String(s0.containerId)).inspect()).State.Running, 'the container to finish', 60_000, 200);
    const stop = await e.cli(['stop', id]);
    assert.equal(stop.code, 0, stop.stderr);
    const s = await statusJson(e, id);
    const log = () => readFileSync(join(e.home, 'logs', 'daemon.log'), 'utf8');
    assert.equal(s.state, 'failed', `the run ended on its own before the stop: not cancelled\nstop: ${stop.stderr}\ndaemon log:\n${log()}`);
    assert.equal(s.reason, 'the agent exited with code 143');
    // A tail can resume where it stopped: events after a seq.
    const all = await eventsJson(e, id);
    const tail = (await e.cli(['logs', id, '--json', '--after', '3'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number });
    assert.deepEqual(
      tail.map((x) => x.seq),
      all.filter((x) => x.seq > 3).map((x) => x.seq),
    );
    const bad = await e.cli(['logs', id, '--after', 'x']);
    assert.equal(bad.code, 2);
  });
});
