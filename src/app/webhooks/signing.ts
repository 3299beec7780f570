/**
 * Webhook signatures, as Stromboli makes them: HMAC-SHA256 with the shared secret over `<timestamp>.<raw body>`,
 * sent as `sha256=<lowercase hex>` beside the timestamp (unix seconds). The timestamp is signed so a captured
 * delivery cannot be replayed later than the receiver's tolerance.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signWebhook(secret: string, timestampSec: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampSec}.${body}`).digest('hex')}`;
}

/**
 * What a receiver does (and the tests): the signature with or without its `sha256=` prefix, a timestamp within
 * maxAgeSec of now, compared in constant time.
 */
export function verifyWebhook(secret: string, timestamp: string, signature: string, body: string, opts: { maxAgeSec?: number; nowMs?: number } = {}): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  const ts = Number(timestamp);
  const now = Math.floor((opts.nowMs ?? Date.now()) / 1000);
  if (Math.abs(now - ts) > (opts.maxAgeSec ?? 300)) return false;
  const want = Buffer.from(signWebhook(secret, ts, body).slice('sha256='.length), 'hex');
  const hex = signature.replace(/^sha256=/, '');
  if (!/^[0-9a-f]{64}$/i.test(hex)) return false;
  return timingSafeEqual(want, Buffer.from(hex, 'hex'));
}
