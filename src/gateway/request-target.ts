/**
 * What the gateway forwards: each vendor's model calls (vendors.ts), on plain origin-form request targets. The target
 * is checked as the client sent it (before any URL parsing could normalise it), so an absolute-form target, `//`, `.`/`..` segments
 * (plain or percent-encoded), `*`, backslashes, empty segments, fragments and any percent-encoding are refused, not
 * "cleaned up" into something the upstream might read differently.
 */
import { VENDORS, type Vendor, type VendorCall } from './vendors.ts';

/** Anthropic's calls, method and path (each vendor's are in its row: vendors.ts). Everything else is refused. */
export const ALLOWED_CALLS: readonly { method: string; path: string; body: boolean }[] = VENDORS.anthropic.calls.map((c) => ({ method: c.method, path: String(c.path), body: c.body }));

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

export type TargetCheck = { ok: true; path: string; query: string; body: boolean; call: VendorCall } | { ok: false; status: 400 | 403 | 405; why: string };

/**
 * Checks a request's method and raw target (req.url as received) against the vendor's calls. A query parameter that
 * carries the run's token (the vendor's tokenQuery) is accepted and left out of the query passed on.
 */
export function checkTarget(method: string, rawTarget: string, vendor: Vendor = VENDORS.anthropic): TargetCheck {
  if (rawTarget.length > 2048) return { ok: false, status: 400, why: 'request target longer than 2048 characters' };
  if (rawTarget === '*') return { ok: false, status: 400, why: 'asterisk-form request target (*)' };
  if (!rawTarget.startsWith('/')) return { ok: false, status: 400, why: 'not an origin-form request target (absolute-form or authority-form)' };
  if (rawTarget.startsWith('//')) return { ok: false, status: 400, why: 'request target starts with //' };
  if (rawTarget.includes('#')) return { ok: false, status: 400, why: 'request target carries a fragment' };
  if (rawTarget.includes('\\')) return { ok: false, status: 400, why: 'request target carries a backslash' };
  const q = rawTarget.indexOf('?');
  const path = q === -1 ? rawTarget : rawTarget.slice(0, q);
  const query = q === -1 ? '' : rawTarget.slice(q + 1);
  if (path.includes('%')) return { ok: false, status: 400, why: 'percent-encoding in the request path' };
  const segments = path.slice(1).split('/');
  for (const s of segments) {
    if (s === '') return { ok: false, status: 400, why: 'empty path segment (// or a trailing /)' };
    if (s === '.' || s === '..') return { ok: false, status: 400, why: `dot segment (${s}) in the request path` };
    if (!SEGMENT.test(s) && !(vendor.pathSegment?.test(s) ?? false)) return { ok: false, status: 400, why: 'unexpected characters in the request path' };
  }
  const calls = vendor.calls.filter((c) => (typeof c.path === 'string' ? c.path === path : c.path.test(path)));
  const call = calls.find((c) => c.method === method);
  if (!call) {
    if (calls.length > 0) return { ok: false, status: 405, why: `${method} is not allowed on ${path}` };
    return { ok: false, status: 403, why: `${path} is not a model call the gateway forwards` };
  }
  const passed: string[] = [];
  if (query !== '') {
    const allowed = call.query ?? {};
    const seen = new Set<string>();
    for (const pair of query.split('&')) {
      const eq = pair.indexOf('=');
      const key = eq === -1 ? pair : pair.slice(0, eq);
      const value = eq === -1 ? '' : pair.slice(eq + 1);
      const token = vendor.tokenQuery !== undefined && key === vendor.tokenQuery;
      const re = token ? /^[A-Za-z0-9._~-]{1,512}$/ : allowed[key];
      if (!re || seen.has(key) || !re.test(value)) return { ok: false, status: 400, why: `query parameter not allowed: ${key.slice(0, 40) || '(empty)'}` };
      seen.add(key);
      if (!token) passed.push(pair);
    }
  }
  return { ok: true, path, query: passed.join('&'), body: call.body, call };
}
