/**
 * The client's address, for rate limiting before auth: the TCP peer, or, when the peer is a trusted proxy
 * (PADDOCK_RATE_LIMIT_TRUSTED_PROXIES), the leftmost X-Forwarded-For entry, else X-Real-IP, as Stromboli does.
 * Headers from anyone else are ignored: they are the client's to forge.
 */
import { isIP, type BlockList } from 'node:net';
import type { Context } from 'hono';
import type { ApiEnv } from '../context.ts';

const family = (a: string) => (isIP(a) === 6 ? 'ipv6' : 'ipv4');

export function clientAddress(c: Context<ApiEnv>, trusted: BlockList | undefined): string {
  const peer = c.env?.incoming?.socket.remoteAddress;
  if (!peer) return 'unknown';
  if (!trusted || !isIP(peer) || !trusted.check(peer, family(peer))) return peer;
  const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
  if (forwarded && isIP(forwarded)) return forwarded;
  const real = c.req.header('x-real-ip')?.trim();
  if (real && isIP(real)) return real;
  return peer;
}
