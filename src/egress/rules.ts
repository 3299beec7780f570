/**
 * Allow rules: `HOST[:PORT]`, HOST a name with `*` globs (`*.github.com`, `deb.debian.org`), an IPv4 address or a
 * bracketed IPv6 one; PORT a number or `*`. Without a port a rule allows 80 and 443. Parsed once (config at start,
 * a run's additions at spawn), so a bad rule is refused before anything runs.
 */
import { isIP } from 'node:net';
import { invalidInput } from '../errors/index.ts';

export interface AllowRule {
  /** As written (normalised): what the log names as the rule that allowed a connection. */
  text: string;
  host: string;
  /** Ports it allows; 'any' for `:*`. */
  ports: readonly number[] | 'any';
  match: (host: string) => boolean;
}

const DEFAULT_PORTS = [80, 443] as const;
const NAME = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/;
const GLOB = /^[a-z0-9_*-]+(\.[a-z0-9_*-]+)*$/;

/** A host as a rule or a request names it: lower case, no trailing dot, no IPv6 brackets. */
export function normaliseHost(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
}

/** A requested host that can be matched and resolved: an IP address or a DNS name (no spaces, no URL parts). */
export function isHostName(host: string): boolean {
  return isIP(host) !== 0 || (host.length <= 253 && NAME.test(host));
}

/** Parses one rule; `what` names where it came from (a config key, `--allow`) in the error. */
export function parseAllowRule(raw: string, what: string): AllowRule {
  const text = raw.trim().toLowerCase();
  // [v6]:port, [v6], host:port, host
  const m = /^\[([0-9a-f:.]+)\](?::(\d+|\*))?$/.exec(text) ?? /^([^:[\]]+)(?::(\d+|\*))?$/.exec(text);
  const bad = (why: string) =>
    invalidInput(`${what}: invalid allow rule "${raw}" (${why})`, 'use HOST or HOST:PORT, e.g. registry.npmjs.org, *.github.com:443, 10.1.2.3:8080 or [2001:db8::1]:443; PORT may be *');
  if (!m) throw bad('not HOST[:PORT]');
  const host = normaliseHost(m[1] ?? '');
  const portText = m[2];
  let ports: readonly number[] | 'any' = DEFAULT_PORTS;
  if (portText === '*') ports = 'any';
  else if (portText !== undefined) {
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(`port ${portText} is not 1–65535`);
    ports = [port];
  }
  if (text.startsWith('[') && isIP(host) !== 6) throw bad(`${host} is not an IPv6 address`);
  if (host === '*') return { text: canonical(host, ports), host, ports, match: () => true }; // any host, IP addresses too
  if (isIP(host) !== 0) return { text: canonical(host, ports), host, ports, match: (h) => h === host };
  if (host.length === 0 || host.length > 253 || !GLOB.test(host)) throw bad('a host is letters, digits, -, _ and . with * as a wildcard');
  if (/^[0-9.*]+$/.test(host) && /\d/.test(host) && host.includes('*')) throw bad('globs over IP addresses are not supported: list the addresses');
  const re = new RegExp(`^${host.split('*').map(escapeRegex).join('[a-z0-9_.-]+')}$`);
  return { text: canonical(host, ports), host, ports, match: host.includes('*') ? (h) => re.test(h) : (h) => h === host };
}

/** A list of rules (a config value or a run's additions), each checked. */
export function parseAllowList(raw: readonly string[], what: string): AllowRule[] {
  return raw
    .map((r) => r.trim())
    .filter(Boolean)
    .map((r) => parseAllowRule(r, what));
}

/** The first rule that allows host:port, or undefined. host must be normalised. */
export function matchRule(rules: readonly AllowRule[], host: string, port: number): AllowRule | undefined {
  return rules.find((r) => (r.ports === 'any' || r.ports.includes(port)) && r.match(host));
}

function canonical(host: string, ports: readonly number[] | 'any'): string {
  const h = isIP(host) === 6 ? `[${host}]` : host;
  if (ports === 'any') return `${h}:*`;
  return ports === DEFAULT_PORTS ? h : `${h}:${ports[0]}`;
}

const escapeRegex = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
