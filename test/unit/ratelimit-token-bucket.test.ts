/** The token bucket behind PADDOCK_RATE_LIMIT_*: burst, refill, per-key buckets, headers' numbers, LRU bound (fake clock). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenBucket } from '../../src/app/token-bucket.ts';

describe('token bucket', () => {
  it('allows a burst, then refuses until a token is earned back', () => {
    let now = 1_000_000;
    const b = new TokenBucket({ rate: 2, burst: 3, now: () => now });
    const first = b.take('a');
    assert.deepEqual({ allowed: first.allowed, remaining: first.remaining, limit: first.limit }, { allowed: true, remaining: 2, limit: 2 });
    assert.equal(b.take('a').remaining, 1);
    assert.equal(b.take('a').remaining, 0);
    const refused = b.take('a');
    assert.equal(refused.allowed, false);
    assert.equal(refused.remaining, 0);
    assert.equal(refused.retryAfterMs, 500, 'one token at 2/s takes 500 ms');
    assert.equal(refused.resetAt, now + 1500, 'full again after 3 tokens at 2/s');
    now += 499;
    assert.equal(b.take('a').allowed, false);
    now += 2;
    assert.equal(b.take('a').allowed, true, 'a token came back after 500 ms');
  });

  it('keeps one bucket per key', () => {
    const now = 0;
    const b = new TokenBucket({ rate: 1, burst: 1, now: () => now });
    assert.equal(b.take('x').allowed, true);
    assert.equal(b.take('x').allowed, false);
    assert.equal(b.take('y').allowed, true, 'another client is not affected');
  });

  it('never holds more than burst, however long a client was quiet', () => {
    let now = 0;
    const b = new TokenBucket({ rate: 10, burst: 5, now: () => now });
    b.take('k');
    now += 3_600_000;
    assert.equal(b.take('k').remaining, 4);
  });

  it('supports fractional rates', () => {
    let now = 0;
    const b = new TokenBucket({ rate: 0.5, burst: 1, now: () => now });
    assert.equal(b.take('k').allowed, true);
    const r = b.take('k');
    assert.equal(r.allowed, false);
    assert.equal(r.retryAfterMs, 2000);
    now += 2000;
    assert.equal(b.take('k').allowed, true);
  });

  it('forgets the least recently used client beyond maxKeys (it comes back full)', () => {
    const now = 0;
    const b = new TokenBucket({ rate: 1, burst: 1, now: () => now, maxKeys: 2 });
    b.take('a');
    b.take('b');
    b.take('a'); // a is now the most recent
    b.take('c'); // evicts b
    assert.equal(b.size, 2);
    assert.equal(b.take('b').allowed, true, 'b was forgotten: a fresh bucket');
    assert.equal(b.take('c').allowed, false, 'c is still remembered');
  });

  it('refuses nonsense settings', () => {
    assert.throws(() => new TokenBucket({ rate: 0, burst: 1 }));
    assert.throws(() => new TokenBucket({ rate: 1, burst: 0 }));
  });
});
