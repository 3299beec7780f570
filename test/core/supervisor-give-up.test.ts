/**
 * When supervision fails for good (issue 14, finding 6), the run must not be left "crashed" with its container running
 * unsupervised: the container is stopped and the work still brought back. A fake runtime whose log always fails.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { agentFor } from '../../src/app/agents.ts';
import { EventLog } from '../../src/events/index.ts';
import { newOwner, retireOwner } from '../../src/jobs/owner.ts';
import { RunSupervisor } from '../../src/jobs/supervisor.ts';
import type { ContainerRuntime, ContainerState } from '../../src/runtime/index.ts';
import { openDb } from '../../src/store/db.ts';
import { RunsRepo } from '../../src/store/runs-repo.ts';
import { runRow } from '../fixtures/run-row.ts';

it('supervision that gives up stops the container and still brings the work back', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'paddock-giveup-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'relay'));
  const db = openDb(':memory:');
  const runs = new RunsRepo(db);
  const events = new EventLog(db);
  runs.insert(runRow('r1', { state: 'running', phase: 'agent-running', containerId: 'c1', runDir: dir, checkoutDir: join(dir, 'src'), startedAt: Date.now(), timeoutMs: 3_600_000 }));
  let running = true;
  const stops: string[] = [];
  const state = (): ContainerState => ({
    id: 'c1',
    name: 'c1',
    image: 'i',
    labels: {},
    status: running ? 'running' : 'exited',
    running,
    exitCode: running ? null : 137,
    oomKilled: false,
    startedAt: null,
    finishedAt: null,
    error: '',
  });
  const runtime = {
    inspectContainer: async () => state(),
    // What a 600 MiB line did: every read of the log throws.
    // biome-ignore lint/correctness/useYield: it only fails
    logs: async function* () {
      throw new RangeError('Invalid string length');
    },
    stopContainer: async (id: string) => {
      stops.push(id);
      running = false;
    },
    waitContainer: async () => 137,
  } as unknown as ContainerRuntime;
  let broughtBack = 0;
  const owner = newOwner();
  t.after(() => retireOwner(owner));
  const sup = new RunSupervisor({
    runs,
    events,
    runtime,
    agent: agentFor,
    model: { upstream: 'http://127.0.0.1:9', credential: { apiKey: 'k' } },
    stallAfterMs: 3_600_000,
    stopGraceMs: 1000,
    upstreamFailAfterMs: 30_000,
    finishCheckout: async () => {
      broughtBack++;
      assert.equal(running, false, 'the container is stopped before the work is taken back');
      return { headSha: 'abc', commitsAhead: 1 };
    },
    prepare: { prepare: async () => {}, abandon: async () => {} },
    owner,
  });
  await sup.supervise('r1');
  const run = runs.get('r1');
  assert.equal(run?.state, 'crashed');
  assert.match(String(run?.reason), /supervisor error: Invalid string length/);
  assert.deepEqual(stops, ['c1']);
  assert.equal(broughtBack, 1);
  assert.equal(run?.headSha, 'abc');
  assert.ok(
    events.list('r1').some((e) => e.kind === 'note' && /supervision gave up/.test(String(e.data.message))),
    'a note says so',
  );
});
