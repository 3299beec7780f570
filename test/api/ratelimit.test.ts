/**
 * Rate limiting against the real daemon, configured by Stromboli's variable names: the burst passes with the
 * X-RateLimit-* headers counting down, then 429 with Retry-After on both faces; the bucket refills; the unix socket
 * and the docs are not limited.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { startDaemon } from './harness.ts';

describe('rate limit (real daemon)', () => {
  it('429s past the burst, with the headers, and recovers', async (t) => {
    const d = await startDaemon(t, { STROMBOLI_RATE_LIMIT_ENABLED: 'true', STROMBOLI_RATE_LIMIT_RPS: '2', STROMBOLI_RATE_LIMIT_BURST: '3' });
    const seen: { status: number; limit: string | null; remaining: string | null; reset: number }[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await d.json('GET', '/api/v1/runs');
      seen.push({ status: r.status, limit: r.headers.get('x-ratelimit-limit'), remaining: r.headers.get('x-ratelimit-remaining'), reset: Number(r.headers.get('x-ratelimit-reset')) });
      if (i === 3) {
        assert.equal(r.body.error.code, 'RATE_LIMITED');
        assert.equal(r.headers.get('retry-after'), '1');
      }
    }
    assert.deepEqual(
      seen.map((s) => [s.status, s.limit, s.remaining]),
      [
        [200, '2', '2'],
        [200, '2', '1'],
        [200, '2', '0'],
        [429, '2', '0'],
      ],
    );
    const now = Date.now() / 1000;
    for (const s of seen) assert.ok(s.reset >= Math.floor(now) && s.reset <= now + 3, `reset ${s.reset} is within the refill time`);

    const compat = await d.json('GET', '/jobs');
    assert.deepEqual([compat.status, compat.body], [429, { error: 'rate limit exceeded' }]);
    assert.equal((await d.fetch('/openapi.json')).status, 200, 'the docs are not limited');
    for (let i = 0; i < 10; i++) assert.equal((await d.viaSocket('GET', '/api/v1/runs')).status, 200, 'the socket is not limited');

    await sleep(1100);
    assert.equal((await d.json('GET', '/api/v1/runs')).status, 200, 'two tokens came back in a second');
  });
});
