/** Pure pieces of the Stromboli face: job states from run states, Go's RFC 3339 timestamps, job ids, the workdir roots setting. */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { jobStatusOf, rfc3339, runIdOfJob } from '../../src/api/compat/map.ts';
import { loadConfig } from '../../src/config/index.ts';
import { isPaddockError } from '../../src/errors/index.ts';
import type { Run } from '../../src/jobs/index.ts';

const run = (state: Run['state'], exitCode: number | null = null) => ({ state, exitCode }) as Run;

describe('Stromboli face: mapping', () => {
  it('maps every run state to a Stromboli job status', () => {
    assert.deepEqual(
      (['queued', 'pending', 'starting', 'running', 'stalled', 'idle', 'completed', 'cancelled', 'crashed', 'timed_out'] as const).map((s) => jobStatusOf(run(s))),
      ['pending', 'pending', 'pending', 'running', 'running', 'running', 'completed', 'cancelled', 'crashed', 'failed'],
    );
    assert.equal(jobStatusOf(run('failed', 1)), 'failed');
    assert.equal(jobStatusOf(run('failed', 137)), 'crashed', 'killed by a signal (out of memory): crashed, as Stromboli says');
  });

  it('formats times as Go\'s time.Format("2006-01-02T15:04:05Z07:00"): no fractions, the local offset', () => {
    const ms = Date.UTC(2026, 4, 1, 8, 0, 0, 123);
    const s = rfc3339(ms);
    assert.match(s, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/);
    assert.equal(new Date(s).getTime(), ms - 123, 'the same instant, to the second');
    if (new Date(ms).getTimezoneOffset() === 0) assert.equal(s, '2026-05-01T08:00:00Z');
  });

  it('reads job ids whole: job-<id>, run-<id> or the bare run id; nothing else', () => {
    assert.equal(runIdOfJob('job-0123456789ab'), '0123456789ab');
    assert.equal(runIdOfJob('run-0123456789AB'), '0123456789ab');
    assert.equal(runIdOfJob('0123456789ab'), '0123456789ab');
    for (const bad of ['job-0123', '0123456789abc', 'job-', '', '../0123456789ab', 'job-0123456789ab/x']) assert.equal(runIdOfJob(bad), undefined, bad);
  });

  it('PADDOCK_WORKDIR_ROOTS: absolute paths, comma-separated; a relative one fails at start naming the variable; PADDOCK_JOB_TTL is a duration', () => {
    const home = mkdtempSync(join(tmpdir(), 'paddock-cfg-'));
    assert.deepEqual(loadConfig({ PADDOCK_HOME: home }).workdirRoots, []);
    assert.deepEqual(loadConfig({ PADDOCK_HOME: home, PADDOCK_WORKDIR_ROOTS: '/srv/a, /srv/b/../c,' }).workdirRoots, ['/srv/a', '/srv/c']);
    assert.throws(
      () => loadConfig({ PADDOCK_HOME: home, PADDOCK_WORKDIR_ROOTS: '/srv/a,relative' }),
      (e: unknown) => isPaddockError(e) && /PADDOCK_WORKDIR_ROOTS/.test(e.message) && /relative/.test(e.message),
    );
    assert.equal(loadConfig({ PADDOCK_HOME: home }).jobTtl, 7 * 86_400_000);
    assert.equal(loadConfig({ PADDOCK_HOME: home, PADDOCK_JOB_TTL: '90s' }).jobTtl, 90_000);
    assert.throws(
      () => loadConfig({ PADDOCK_HOME: home, PADDOCK_JOB_TTL: 'soon' }),
      (e: unknown) => isPaddockError(e) && /PADDOCK_JOB_TTL/.test(e.message),
    );
  });
});
