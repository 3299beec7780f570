/**
 * Settings that are switches, lists and addresses. Environment variables are strings, a config file may hold real
 * booleans and arrays: both are accepted, and anything else fails at start naming the key.
 */
import { BlockList, isIP } from 'node:net';
import { invalidInput } from '../errors/index.ts';

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/** "true"/"false" (also 1/0, yes/no, on/off, any case) or a boolean. */
export function parseFlag(value: string | boolean, what: string): boolean {
  if (typeof value === 'boolean') return value;
  const v = value.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw invalidInput(`invalid ${what} "${value}"`, 'use true or false');
}

/** "a, b,,c" → ["a", "b", "c"]; an array of strings is taken as it is (blank entries dropped either way). */
export function parseList(value: string | readonly string[]): string[] {
  const items = typeof value === 'string' ? value.split(',') : [...value];
  return items.map((s) => s.trim()).filter((s) => s.length > 0);
}

/** A positive number (fractions allowed), e.g. requests per second. */
export function parsePositiveNumber(value: string | number, what: string): number {
  const n = typeof value === 'number' ? value : /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n <= 0) throw invalidInput(`invalid ${what} "${value}"`, 'use a number greater than zero, such as 10 or 0.5');
  return n;
}

/** IP addresses and CIDR blocks ("10.0.0.0/8", "::1"), checked now so a typo fails at start, not per request. */
export function parseAddressList(value: string | readonly string[], what: string): string[] {
  const items = parseList(value);
  for (const item of items) {
    const [addr = '', prefix] = item.split('/');
    const family = isIP(addr);
    const bits = family === 4 ? 32 : 128;
    const ok = family !== 0 && (prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits));
    if (!ok) throw invalidInput(`invalid ${what} entry "${item}"`, 'use IP addresses or CIDR blocks, comma-separated, e.g. 127.0.0.1,10.0.0.0/8');
  }
  return items;
}

/** The entries of an address list as a BlockList, for fast membership checks. */
export function addressSet(items: readonly string[]): BlockList {
  const set = new BlockList();
  for (const item of items) {
    const [addr = '', prefix] = item.split('/');
    const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) set.addAddress(addr, type);
    else set.addSubnet(addr, Number(prefix), type);
  }
  return set;
}
