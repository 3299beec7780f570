/**
 * Where a webhook may go. A run's webhook is a request the daemon makes on a client's behalf, so without a check it
 * would let any API client reach the daemon's own loopback services and private network (SSRF). Public addresses
 * only, unless PADDOCK_WEBHOOK_ALLOW_PRIVATE: checked at spawn (a 400), and again on every connection, at the
 * address actually dialled, so a name that later resolves somewhere private (DNS rebinding) is refused too.
 */
import dns, { type LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';
import { isLocalName, isPrivateAddress } from '../../egress/index.ts';
import { ErrorCode, PaddockError } from '../../errors/index.ts';

export { isPrivateAddress };

/** The host part of a URL as something to resolve or check: no brackets, no trailing dot, lower case. */
export function hostOf(url: URL): string {
  return url.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
}

function refused(host: string, address: string | undefined): PaddockError {
  return new PaddockError(ErrorCode.InvalidInput, `webhookUrl: ${host}${address && address !== host ? ` (${address})` : ''} is a loopback or private address`, {
    hint: 'use a public URL, or let the daemon reach private networks with PADDOCK_WEBHOOK_ALLOW_PRIVATE=true',
  });
}

/** At spawn: refuses a webhook URL whose host is (or resolves to) a private address. Throws INVALID_INPUT. */
export async function checkWebhookTarget(raw: string, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  const url = new URL(raw);
  const host = hostOf(url);
  if (isLocalName(host)) throw refused(host, undefined);
  if (isIP(host)) {
    if (isPrivateAddress(host)) throw refused(host, undefined);
    return;
  }
  let addresses: LookupAddress[];
  try {
    addresses = await lookup(host, { all: true, verbatim: true });
  } catch (e) {
    throw new PaddockError(ErrorCode.InvalidInput, `webhookUrl: cannot resolve ${host} (${(e as NodeJS.ErrnoException).code ?? 'lookup failed'})`, {
      hint: 'check the host name; the daemon must be able to resolve it to a public address',
    });
  }
  const bad = addresses.find((a) => isPrivateAddress(a.address));
  if (bad) throw refused(host, bad.address);
}

/**
 * A `lookup` for http.request that refuses private answers, so the check holds at the address the socket connects
 * to (IP literals are not looked up: deliver() checks those itself).
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  const cb = callback as (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
  if (isLocalName(hostname.toLowerCase())) {
    cb(Object.assign(new Error(`${hostname} is a loopback name`), { code: 'EPRIVATE' }), '', 0);
    return;
  }
  dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return cb(err, '', 0);
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad) return cb(Object.assign(new Error(`${hostname} resolves to the private address ${bad.address}`), { code: 'EPRIVATE' }), '', 0);
    if (options.all) return cb(null, addresses);
    const first = addresses[0];
    if (!first) return cb(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
    return cb(null, first.address, first.family);
  });
};
