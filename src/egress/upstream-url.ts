/** The optional upstream proxy's URL, parsed (config): kept apart from the dialler so config loads no SOCKS client. */
import { invalidInput } from '../errors/index.ts';

export type EgressUpstream = { kind: 'http'; host: string; port: number; authorization?: string } | { kind: 'socks5'; host: string; port: number; userId?: string; password?: string };

/** Parses PADDOCK_EGRESS_UPSTREAM_HTTP (http://[user:pass@]host:port) or PADDOCK_EGRESS_UPSTREAM_SOCKS5 (socks5://[user:pass@]host:port). */
export function parseUpstream(raw: string, kind: EgressUpstream['kind'], what: string): EgressUpstream {
  const scheme = kind === 'http' ? 'http:' : 'socks5:';
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw invalidInput(`${what}: "${raw}" is not a URL`, `use ${scheme}//host:port`);
  }
  if (url.protocol !== scheme) throw invalidInput(`${what}: "${raw}" is not a ${scheme}// URL`, `use ${scheme}//host:port`);
  const port = Number(url.port);
  if (!url.hostname || !Number.isInteger(port) || port < 1) throw invalidInput(`${what}: "${raw}" needs a host and a port`, `use ${scheme}//host:port`);
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) throw invalidInput(`${what}: "${raw}" has a path or query`, `use ${scheme}//host:port`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  if (kind === 'http') return { kind, host, port, ...(user ? { authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` } : {}) };
  return { kind, host, port, ...(user ? { userId: user, password: pass } : {}) };
}
