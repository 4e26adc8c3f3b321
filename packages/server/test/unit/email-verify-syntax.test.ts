import { describe, expect, it } from 'vitest';
import { parseAddress } from '../../src/modules/email-verify/syntax.ts';

describe('parseAddress (RFC 5321/5322, with RFC 6531/6532 and IDNA)', () => {
  it.each([
    ['alice@example.com', 'alice@example.com', 'example.com'],
    ['  Alice.Smith@EXAMPLE.com  ', 'Alice.Smith@example.com', 'example.com'],
    ["o'brien+news@example.co.uk", "o'brien+news@example.co.uk", 'example.co.uk'],
    ['a!#$%&*/=?^_`{|}~-z@example.com', 'a!#$%&*/=?^_`{|}~-z@example.com', 'example.com'],
    ['"john doe"@example.com', '"john doe"@example.com', 'example.com'],
    ['"a@b"@example.com', '"a@b"@example.com', 'example.com'],
    ['"quoted\\"pair"@example.com', '"quoted\\"pair"@example.com', 'example.com'],
    ['user@bücher.de', 'user@bücher.de', 'xn--bcher-kva.de'],
    ['user@BÜCHER.DE', 'user@bücher.de', 'xn--bcher-kva.de'],
    ['user@xn--bcher-kva.de', 'user@bücher.de', 'xn--bcher-kva.de'],
    ['用户@例え.テスト', '用户@例え.テスト', 'xn--r8jz45g.xn--zckzah'],
    ['jörg@müller.de', 'jörg@müller.de', 'xn--mller-kva.de'],
    ['user@[192.0.2.1]', 'user@[192.0.2.1]', '[192.0.2.1]'],
    ['user@[IPv6:2001:DB8::1]', 'user@[IPv6:2001:db8::1]', '[IPv6:2001:db8::1]'],
  ])('accepts %j', (input, normalized, domainAscii) => {
    const p = parseAddress(input);
    expect(p).not.toBeNull();
    expect(p!.normalized).toBe(normalized);
    expect(p!.domainAscii).toBe(domainAscii);
  });

  it('says which addresses need SMTPUTF8 and which name an address literal', () => {
    expect(parseAddress('jörg@example.com')).toMatchObject({ utf8Local: true, literal: false, local: 'jörg' });
    expect(parseAddress('joerg@bücher.de')).toMatchObject({ utf8Local: false });
    expect(parseAddress('x@[192.0.2.1]')).toMatchObject({ literal: true });
  });

  it.each([
    ['', 'empty'],
    ['plainaddress', 'no @'],
    ['@example.com', 'no local part'],
    ['alice@', 'no domain'],
    ['alice@@example.com', 'two @ outside quotes'],
    ['a@b@example.com', 'an @ in an unquoted local part'],
    ['.alice@example.com', 'a leading dot'],
    ['alice.@example.com', 'a trailing dot'],
    ['al..ice@example.com', 'two dots in a row'],
    ['al ice@example.com', 'a space'],
    ['alice(comment)@example.com', 'a comment'],
    ['"unterminated@example.com', 'an open quote'],
    ['"a"b@example.com', 'text after a quoted string'],
    ['al\u0000ice@example.com', 'a control character'],
    ['al\u200bice@example.com', 'a zero-width space in the local part'],
    ['alice@localhost', 'a single-label domain'],
    ['alice@example', 'a domain without a dot'],
    ['alice@example.com.', 'a trailing dot in the domain'],
    ['alice@-example.com', 'a label starting with a hyphen'],
    ['alice@exa_mple.com', 'an underscore in the domain'],
    ['alice@example..com', 'an empty label'],
    ['alice@example.123', 'an all-numeric top-level domain'],
    ['alice@xn--zz.com', 'invalid punycode'],
    ['alice@[300.1.1.1]', 'a bad IPv4 literal'],
    ['alice@[IPv6:zz::1]', 'a bad IPv6 literal'],
    [`${'a'.repeat(65)}@example.com`, 'a local part over 64 octets'],
    [`${'ä'.repeat(33)}@example.com`, 'a UTF-8 local part over 64 octets (66)'],
    [`${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`, 'an address over 254 octets'],
    [`alice@${'a'.repeat(64)}.com`, 'a label over 63 characters'],
  ])('refuses %j (%s)', (input) => {
    expect(parseAddress(input)).toBeNull();
  });

  it('takes addresses right at the RFC 5321 limits', () => {
    const local = 'a'.repeat(64);
    // 64 + 1 + 189 = 254 octets.
    const domain = `${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
    expect(domain.length).toBe(189);
    expect(parseAddress(`${local}@${domain}`)).not.toBeNull();
    expect(parseAddress(`${local}@x${domain}`)).toBeNull();
  });
});
