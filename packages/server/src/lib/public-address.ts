import ipaddr from 'ipaddr.js';

/**
 * Whether an IP address is on the public internet: not loopback, private, link-local (cloud
 * metadata at 169.254.169.254 is link-local), CGNAT, multicast, unspecified, broadcast,
 * documentation or otherwise reserved. Only what ipaddr.js calls "unicast" passes; an
 * IPv4-mapped IPv6 address is judged as the IPv4 address it carries, and the IPv6 ranges that
 * embed IPv4 addresses (NAT64, 6to4, Teredo) are refused outright.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.range() === 'unicast';
}
