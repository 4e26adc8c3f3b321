import { describe, expect, it } from 'vitest';
import { ipAllowed, normaliseAllowlistEntry } from '../../src/modules/access/ip-allowlist.ts';

describe('normaliseAllowlistEntry', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['  203.0.113.7  ', '203.0.113.7'],
    ['0.0.0.0', '0.0.0.0'],
    ['203.0.113.0/24', '203.0.113.0/24'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['203.0.113.7/32', '203.0.113.7/32'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8::/32', '2001:db8::/32'],
    ['2001:DB8:0:0::/48', '2001:db8::/48'],
    ['::1', '::1'],
    ['::/0', '::/0'],
    // What a dual-stack socket reports for an IPv4 client is the IPv4 address.
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::FFFF:cb00:7107', '203.0.113.7'],
    // A range of IPv4-mapped addresses is the IPv4 range it covers.
    ['::ffff:203.0.113.0/120', '203.0.113.0/24'],
    ['::ffff:0:0/96', '0.0.0.0/0'],
    // Host bits are dropped, so "remove" finds the range however it was typed.
    ['203.0.113.77/24', '203.0.113.0/24'],
    ['2001:db8::1/32', '2001:db8::/32'],
  ])('reads %j as %j', (entry, normalised) => {
    expect(normaliseAllowlistEntry(entry)).toBe(normalised);
  });

  it.each([
    '',
    '   ',
    'localhost',
    'any',
    '*',
    '203.0.113',
    '256.0.0.1',
    '203.0.113.7.1',
    '-1.0.0.0',
    '203.0.113.0/33',
    '203.0.113.0/-1',
    '203.0.113.0/',
    '/24',
    '203.0.113.0/24/8',
    '203.0.113.0/abc',
    '2001:db8::/129',
    '2001:db8:::1',
    '2001:db8::g',
    '203.0.113.7,198.51.100.1',
    // Legacy inet_aton spellings would silently allow something else than what the operator read.
    '010.0.0.1', // octal: 8.0.0.1
    '0x7f.0.0.1', // hex: 127.0.0.1
    '127.1', // short form: 127.0.0.1
    '3232235777', // one number: 192.168.1.1
    '010.0.0.0/8',
    '::ffff:0x7f.0.0.1',
  ])('refuses %j', (entry) => {
    expect(normaliseAllowlistEntry(entry)).toBeNull();
  });
});

describe('ipAllowed', () => {
  it('lets everyone in when the list is empty', () => {
    expect(ipAllowed([], '203.0.113.7')).toBe(true);
    expect(ipAllowed([], '2001:db8::1')).toBe(true);
  });

  it('matches a single IPv4 address exactly', () => {
    expect(ipAllowed(['203.0.113.7'], '203.0.113.7')).toBe(true);
    expect(ipAllowed(['203.0.113.7'], '203.0.113.8')).toBe(false);
    expect(ipAllowed(['203.0.113.7'], '203.0.113.70')).toBe(false);
  });

  it('matches IPv4 CIDR ranges at their edges', () => {
    const list = ['203.0.113.0/24'];
    expect(ipAllowed(list, '203.0.113.0')).toBe(true);
    expect(ipAllowed(list, '203.0.113.255')).toBe(true);
    expect(ipAllowed(list, '203.0.112.255')).toBe(false);
    expect(ipAllowed(list, '203.0.114.0')).toBe(false);
    expect(ipAllowed(['10.0.0.0/8'], '10.255.255.255')).toBe(true);
    expect(ipAllowed(['10.0.0.0/8'], '11.0.0.0')).toBe(false);
    expect(ipAllowed(['0.0.0.0/0'], '198.51.100.1')).toBe(true);
  });

  it('matches IPv6 addresses and ranges whatever the spelling', () => {
    expect(ipAllowed(['2001:db8::1'], '2001:0db8:0000:0000:0000:0000:0000:0001')).toBe(true);
    expect(ipAllowed(['2001:db8::1'], '2001:db8::2')).toBe(false);
    expect(ipAllowed(['2001:db8::/32'], '2001:db8:ffff:ffff::1')).toBe(true);
    expect(ipAllowed(['2001:db8::/32'], '2001:db9::1')).toBe(false);
    expect(ipAllowed(['::1'], '::1')).toBe(true);
  });

  it('treats an IPv4-mapped IPv6 client as its IPv4 address', () => {
    expect(ipAllowed(['203.0.113.0/24'], '::ffff:203.0.113.7')).toBe(true);
    expect(ipAllowed(['203.0.113.7'], '::ffff:203.0.113.7')).toBe(true);
    expect(ipAllowed(['203.0.113.7'], '::ffff:203.0.113.8')).toBe(false);
    expect(ipAllowed([normaliseAllowlistEntry('::ffff:203.0.113.7')!], '203.0.113.7')).toBe(true);
  });

  it('matches an IPv4-mapped range, however it was stored', () => {
    expect(ipAllowed(['::ffff:203.0.113.0/120'], '203.0.113.7')).toBe(true);
    expect(ipAllowed(['::ffff:203.0.113.0/120'], '::ffff:203.0.113.7')).toBe(true);
    expect(ipAllowed(['::ffff:203.0.113.0/120'], '203.0.114.7')).toBe(false);
  });

  it('never matches across address families', () => {
    expect(ipAllowed(['0.0.0.0/0'], '2001:db8::1')).toBe(false);
    expect(ipAllowed(['2001:db8::/32'], '203.0.113.7')).toBe(false);
  });

  it('refuses a client address it cannot read when the list is not empty', () => {
    expect(ipAllowed(['0.0.0.0/0'], 'garbage')).toBe(false);
    expect(ipAllowed(['0.0.0.0/0'], '')).toBe(false);
  });

  it('skips a stored entry it cannot read instead of failing open', () => {
    expect(ipAllowed(['garbage'], '203.0.113.7')).toBe(false);
    expect(ipAllowed(['garbage', '203.0.113.7'], '203.0.113.7')).toBe(true);
  });

  it('matches any of several entries', () => {
    const list = ['198.51.100.1', '203.0.113.0/24', '2001:db8::/32'];
    expect(ipAllowed(list, '198.51.100.1')).toBe(true);
    expect(ipAllowed(list, '203.0.113.99')).toBe(true);
    expect(ipAllowed(list, '2001:db8::5')).toBe(true);
    expect(ipAllowed(list, '198.51.100.2')).toBe(false);
  });
});
