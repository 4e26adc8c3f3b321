import ipaddr from 'ipaddr.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Normalises an allowlist entry ("203.0.113.7", "2001:db8::/32") or returns null when invalid. */
export function normaliseAllowlistEntry(entry: string): string | null {
  const text = entry.trim();
  try {
    if (text.includes('/')) {
      const [addr, bits] = ipaddr.parseCIDR(text);
      return `${addr.toString()}/${bits}`;
    }
    return ipaddr.process(text).toString();
  } catch {
    return null;
  }
}

function toRange(entry: string): Range | null {
  try {
    if (entry.includes('/')) return ipaddr.parseCIDR(entry);
    const addr = ipaddr.process(entry);
    return [addr, addr.kind() === 'ipv4' ? 32 : 128];
  } catch {
    return null;
  }
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
