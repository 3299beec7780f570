/**
 * Rate limiting as a token bucket per client: a client holds up to `burst` tokens, earns `rate` per second, and
 * spends one per request. Pure logic with an injectable clock (tested in milliseconds). Buckets live in memory, in
 * least-recently-used order, at most maxKeys of them: a forgotten bucket comes back full, which only ever favours
 * a client that has been quiet.
 */
export interface TakeResult {
  allowed: boolean;
  /** The configured rate (requests per second), for X-RateLimit-Limit. */
  limit: number;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Epoch ms at which the bucket is full again. */
  resetAt: number;
  /** When refused: ms until one token is there. */
  retryAfterMs: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBucket {
  private readonly buckets = new Map<string, Bucket>();
  private readonly rate: number;
  private readonly burst: number;
  private readonly now: () => number;
  private readonly maxKeys: number;

  constructor(opts: { rate: number; burst: number; now?: () => number; maxKeys?: number }) {
    if (!(opts.rate > 0) || !(opts.burst >= 1)) throw new Error('a token bucket needs rate > 0 and burst >= 1');
    this.rate = opts.rate;
    this.burst = opts.burst;
    this.now = opts.now ?? Date.now;
    this.maxKeys = opts.maxKeys ?? 10_000;
  }

  take(key: string): TakeResult {
    const now = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    this.buckets.delete(key); // re-inserted below: the Map's order is the LRU order
    b.tokens = Math.min(this.burst, b.tokens + (Math.max(0, now - b.at) * this.rate) / 1000);
    b.at = now;
    const allowed = b.tokens >= 1;
    if (allowed) b.tokens -= 1;
    this.buckets.set(key, b);
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    return {
      allowed,
      limit: this.rate,
      remaining: Math.max(0, Math.floor(b.tokens)),
      resetAt: now + Math.ceil(((this.burst - b.tokens) * 1000) / this.rate),
      retryAfterMs: allowed ? 0 : Math.ceil(((1 - b.tokens) * 1000) / this.rate),
    };
  }

  /** How many clients have a bucket now. */
  get size(): number {
    return this.buckets.size;
  }
}
