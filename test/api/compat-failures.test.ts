/**
 * Runs that do not complete, on the Stromboli face (real daemon, engine and CLI): an agent error is a 500
 * `status: "error"` from POST /run (as Stromboli answers a failed execution), a `failed` job with its error, and
 * `event: error` at the end of the stream; a run over its podman.timeout is a failed job saying so; a run killed
 * for memory is `crashed` with crash_info, as Stromboli reports a signal. Each body validates against the swagger.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { until } from '../e2e/harness.ts';
import { startDaemon, type Daemon } from './harness.ts';
import { readSse } from './sse-client.ts';
import { assertMatches } from './stromboli-swagger.ts';

const ended = (d: Daemon, id: string) =>
  until(
    async () => {
      const r = await d.json('GET', `/jobs/${id}`);
      assertMatches('internal_api.JobResponse', r.body);
      return ['completed', 'failed', 'crashed', 'cancelled'].includes(r.body.status) ? r.body : undefined;
    },
    `job ${id} to end`,
    240_000,
    300,
  );

describe('Stromboli face: runs that fail', () => {
  it('an agent error: 500 from /run, a failed job with its error, event: error on the stream', async (t) => {
    const d = await startDaemon(t);
    const prompt = 'Try [[script:http-error 403 permission_error]]';
    const r = await d.json('POST', '/run', { prompt });
    assert.equal(r.status, 500, JSON.stringify(r.body));
    assertMatches('internal_api.RunResponse', r.body, 'POST /run of a failing run');
    assert.equal(r.body.status, 'error');
    assert.match(r.body.id, /^run-[0-9a-f]{12}$/, 'the failure names the run');
    assert.match(r.body.error, /^execution failed: /);
    const job = await d.json('GET', `/jobs/${r.body.id.replace('run-', 'job-')}`);
    assert.equal(job.body.status, 'failed');
    assert.equal(job.body.error, r.body.error);

    const frames = await readSse(`${d.url}/run/stream?prompt=${encodeURIComponent(prompt)}`);
    const last = frames.at(-1)!;
    assert.equal(last.event, 'error', JSON.stringify(frames));
    assert.match(last.data, /^failed: /);
  });

  it('over podman.timeout: a failed job that says it timed out; out of memory: crashed, with crash_info', async (t) => {
    const d = await startDaemon(t);
    const slow = await d.json('POST', '/run/async', { prompt: 'Wait [[script:slow 120]]', podman: { timeout: '8s' } });
    assert.equal(slow.status, 202, JSON.stringify(slow.body));
    const oom = await d.json('POST', '/run/async', { prompt: 'Use memory [[script:bash head -c 1500m /dev/zero | tail > /dev/null; echo survived]]', container: { memory: '256m' } });
    assert.equal(oom.status, 202, JSON.stringify(oom.body));

    const timedOut = await ended(d, slow.body.job_id);
    assert.equal(timedOut.status, 'failed');
    assert.match(timedOut.error, /timed out after 8s/);
    const crashed = await ended(d, oom.body.job_id);
    assert.equal(crashed.status, 'crashed', JSON.stringify(crashed));
    assert.equal(crashed.crash_info.exit_code, 137);
    assert.equal(crashed.crash_info.signal, 'SIGKILL');
    assert.match(crashed.crash_info.reason, /out of memory \(limit 256m\)/);
    assert.equal(crashed.crash_info.task_completed, false);
  });
});
