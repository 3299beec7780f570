/**
 * Which destinations count as private: loopback, private, link-local, carrier-grade NAT, multicast, unspecified,
 * documentation and reserved ranges, and the IPv4-mapped IPv6 forms of all of them. One definition for every request
 * the daemon makes on someone else's behalf (webhooks, the egress proxy).
 */
import { BlockList, isIP } from 'node:net';

const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv4');
// IPv4-mapped addresses (::ffff:a.b.c.d) are checked against the IPv4 blocks by BlockList itself.
for (const [net, bits] of [
  // The unspecified address, loopback, and the deprecated IPv4-compatible form (::a.b.c.d) of every IPv4 address.
  ['::', 96],
  ['::1', 128],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const)
  PRIVATE.addSubnet(net, bits, 'ipv6');

/** Loopback, private, link-local, carrier-grade NAT, multicast, documentation and reserved addresses. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true; // not an address at all: never dial it
  if (family === 6) {
    // NAT64 (64:ff9b::/96) reaches the IPv4 address in its last 32 bits: it is as private as that address.
    const v4 = nat64Embedded(address);
    if (v4 !== undefined) return PRIVATE.check(v4, 'ipv4');
  }
  return PRIVATE.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

const NAT64 = new BlockList();
NAT64.addSubnet('64:ff9b::', 96, 'ipv6');

function nat64Embedded(address: string): string | undefined {
  const plain = address.split('%')[0] ?? '';
  if (!NAT64.check(plain, 'ipv6')) return undefined;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(plain)?.[1];
  if (dotted) return dotted;
  const groups = plain.split(':');
  const hi = Number.parseInt(groups.at(-2) || '0', 16);
  const lo = Number.parseInt(groups.at(-1) || '0', 16);
  return [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
}

/** Names that mean this host whatever DNS says (RFC 6761). */
export const isLocalName = (host: string): boolean => host === 'localhost' || host.endsWith('.localhost');
