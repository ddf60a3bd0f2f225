import { isIP } from 'node:net';

/**
 * Which addresses a caller-chosen URL must never reach in production (docs/security.md,
 * "Outbound calls"): this host, private and shared networks, link-local (cloud metadata at
 * 169.254.169.254), and every range IANA lists as not globally reachable. IPv6 forms that carry
 * an IPv4 address (mapped, NAT64, 6to4, compatible) are judged by that address.
 */

/** [first address, prefix length] of the IPv4 ranges that are not public. */
const IPV4_NOT_PUBLIC: readonly (readonly [string, number])[] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT (shared)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay (deprecated)
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address 255.255.255.255
];

const ipv4Number = (dotted: string): number => dotted.split('.').reduce((n, part) => n * 256 + Number(part), 0);

const IPV4_RANGES = IPV4_NOT_PUBLIC.map(([first, bits]) => ({ first: ipv4Number(first), size: 2 ** (32 - bits) }));

function isInternalV4(n: number): boolean {
  return IPV4_RANGES.some((r) => n >= r.first && n < r.first + r.size);
}

/** The eight 16-bit groups of a valid IPv6 address (zone id dropped, a dotted IPv4 tail folded in). */
function ipv6Groups(address: string): number[] {
  let text = address.split('%')[0] ?? '';
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const start = parse(head);
  if (tail === undefined) return start;
  const end = parse(tail);
  return [...start, ...new Array<number>(8 - start.length - end.length).fill(0), ...end];
}

function isInternalV6(address: string): boolean {
  const g = ipv6Groups(address);
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const v4 = (hi: number, lo: number) => isInternalV4(hi * 65536 + lo);
  const zeros = (...groups: number[]) => groups.every((x) => x === 0);
  // ::ffff:a.b.c.d (IPv4-mapped): the IPv4 address is the one reached.
  if (zeros(g0, g1, g2, g3, g4) && g5 === 0xffff) return v4(g6, g7);
  // ::/96: unspecified, loopback and the deprecated IPv4-compatible form.
  if (zeros(g0, g1, g2, g3, g4, g5)) return true;
  // 64:ff9b::/96 (NAT64): a gateway translates to the embedded IPv4 address.
  if (g0 === 0x64 && g1 === 0xff9b && zeros(g2, g3, g4, g5)) return v4(g6, g7);
  // 2002::/16 (6to4): the relay reaches the IPv4 address in groups 1 and 2.
  if (g0 === 0x2002) return v4(g1, g2);
  // 2001::/23 (IETF protocol assignments: Teredo, benchmarking, ORCHID) and 2001:db8::/32 (documentation).
  if (g0 === 0x2001 && (g1 < 0x200 || g1 === 0x0db8)) return true;
  // Only 2000::/3 is global unicast: this leaves out fc00::/7, fe80::/10, fec0::/10, ff00::/8,
  // 100::/64, 64:ff9b:1::/48 and everything unassigned.
  return (g0 & 0xe000) !== 0x2000;
}

/** An IP address (either family) that is not a public unicast address. False for what is not an IP address. */
export function isInternalAddress(address: string): boolean {
  const version = isIP(address.split('%')[0] ?? '');
  if (version === 4) return isInternalV4(ipv4Number(address));
  if (version === 6) return isInternalV6(address);
  return false;
}

/**
 * A URL's host name that is internal as written: `localhost` (and its subdomains) or an internal
 * IP address literal (with or without brackets). A name that only resolves to one is caught when
 * it is resolved (pinned.ts).
 */
export function isInternalHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return isInternalAddress(host);
}
