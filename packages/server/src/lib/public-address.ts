import ipaddr from 'ipaddr.js';

// Global unicast IPv6 (2000::/3): anything outside it is loopback, local, deprecated or a
// translation prefix, none of which a webhook on the public internet needs.
const GLOBAL_UNICAST_V6: [ipaddr.IPv6, number] = [ipaddr.IPv6.parse('2000::'), 3];

/**
 * Rewrites a trailing dotted quad of an IPv6 literal ("::127.0.0.1") as two hex groups
 * ("::7f00:1"). ipaddr.js reads every "::a.b.c.d" as IPv4-mapped, which would judge an
 * IPv4-compatible address (what a URL parser hands us as "::7f00:1") differently from its
 * dotted spelling; after this rewrite both spellings are the same address.
 */
function hexTail(address: string): string {
  const m = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(address);
  if (!m) return address;
  const [a, b, c, d] = m.slice(2).map(Number) as [number, number, number, number];
  return `${m[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

/**
 * Whether an IP address is on the public internet: not loopback, private, link-local (cloud
 * metadata at 169.254.169.254 is link-local), CGNAT, multicast, unspecified, broadcast,
 * documentation or otherwise reserved. Only what ipaddr.js calls "unicast" passes. An
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d) is judged as the IPv4 address it carries; every
 * other IPv6 address must be global unicast (2000::/3) outside the ranges that embed an IPv4
 * address — so IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96, 64:ff9b:1::/48), 6to4
 * (2002::/16) and Teredo (2001::/32) are refused outright, whatever IPv4 address they carry.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const text = address.includes(':') ? hexTail(address) : address;
  if (!ipaddr.isValid(text)) return false;
  const parsed = ipaddr.parse(text);
  if (parsed.kind() === 'ipv4') return parsed.range() === 'unicast';
  const v6 = parsed as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().range() === 'unicast';
  return v6.match(GLOBAL_UNICAST_V6) && v6.range() === 'unicast';
}

// Ranges an operator's own network uses: loopback, RFC 1918 and IPv6 unique local (fc00::/7).
// Link-local and CGNAT (100.64/10) are left out: the next host on a shared segment or another
// subscriber of the same carrier may hold them.
const PRIVATE_RANGES: ReadonlySet<string> = new Set(['loopback', 'private', 'uniqueLocal']);

/** Whether an IP address is loopback or on a private network (RFC 1918, fc00::/7); IPv4-mapped IPv6 judged as its IPv4 address. */
export function isPrivateAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  return PRIVATE_RANGES.has(parsed.range());
}
