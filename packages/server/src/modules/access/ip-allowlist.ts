import ipaddr from 'ipaddr.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

// ipaddr.js also reads the legacy inet_aton spellings ("010.0.0.1" is 8.0.0.1, "127.1",
// "0x7f.0.0.1", "3232235777"); an allowlist entry must mean what a person reads, so only plain
// dotted-quad decimal is accepted wherever an IPv4 address is written.
const DOTTED_QUAD = /^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/;

function plainSpelling(address: string): boolean {
  if (!address.includes(':')) return DOTTED_QUAD.test(address);
  const tail = address.slice(address.lastIndexOf(':') + 1);
  return !tail.includes('.') || DOTTED_QUAD.test(tail);
}

/** Parses an entry; IPv4-mapped IPv6 addresses and ranges become the IPv4 ones they cover. */
function toRange(entry: string): Range | null {
  try {
    if (!entry.includes('/')) {
      if (!plainSpelling(entry)) return null;
      const addr = ipaddr.process(entry);
      return [addr, addr.kind() === 'ipv4' ? 32 : 128];
    }
    const [text, bits] = entry.split('/') as [string, string];
    if (!plainSpelling(text) || !/^\d{1,3}$/.test(bits)) return null;
    const [addr, len] = ipaddr.parseCIDR(entry);
    if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && len >= 96) {
      return [(addr as ipaddr.IPv6).toIPv4Address(), len - 96];
    }
    return [addr, len];
  } catch {
    return null;
  }
}

/** Normalises an allowlist entry ("203.0.113.7", "2001:db8::/32") or returns null when invalid. */
export function normaliseAllowlistEntry(entry: string): string | null {
  const text = entry.trim();
  const range = toRange(text);
  if (!range) return null;
  if (!text.includes('/')) return range[0].toString();
  // Stored as the network address ("203.0.113.7/24" → "203.0.113.0/24"), so that removing the
  // range works however it was typed.
  const [addr, bits] = range;
  const cidr = `${addr.toString()}/${bits}`;
  const network = addr.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(cidr) : ipaddr.IPv6.networkAddressFromCIDR(cidr);
  return `${network.toString()}/${bits}`;
}

/** True when the list is empty (open) or `clientIp` falls in one of its entries. */
export function ipAllowed(entries: readonly string[], clientIp: string): boolean {
  if (entries.length === 0) return true;
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    // process() turns IPv4-mapped IPv6 (::ffff:203.0.113.7, what dual-stack sockets report) into IPv4.
    addr = ipaddr.process(clientIp);
  } catch {
    return false;
  }
  for (const entry of entries) {
    const range = toRange(entry);
    if (range && range[0].kind() === addr.kind() && addr.match(range)) return true;
  }
  return false;
}
