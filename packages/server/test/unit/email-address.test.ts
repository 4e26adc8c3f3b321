import { describe, expect, it } from 'vitest';
import { normaliseDomain, parseMailbox } from '../../src/lib/email-address.ts';

describe('parseMailbox', () => {
  it('reads a bare address', () => {
    expect(parseMailbox('ada@example.com')).toEqual({ name: null, address: 'ada@example.com', domain: 'example.com' });
  });

  it('reads "Name <addr>"', () => {
    expect(parseMailbox('Ada Lovelace <ada@example.com>')).toEqual({ name: 'Ada Lovelace', address: 'ada@example.com', domain: 'example.com' });
    expect(parseMailbox('Ada<ada@example.com>')).toEqual({ name: 'Ada', address: 'ada@example.com', domain: 'example.com' });
    expect(parseMailbox('  Ada   <  ada@example.com  >  ')).toEqual({ name: 'Ada', address: 'ada@example.com', domain: 'example.com' });
  });

  it('unquotes a quoted display name', () => {
    expect(parseMailbox('"Lovelace, Ada" <ada@example.com>')?.name).toBe('Lovelace, Ada');
  });

  it('has no name for "<addr>" alone', () => {
    expect(parseMailbox('<ada@example.com>')).toEqual({ name: null, address: 'ada@example.com', domain: 'example.com' });
  });

  it('lower-cases the domain but keeps the local part as written', () => {
    expect(parseMailbox('Ada.King@Example.COM')).toEqual({ name: null, address: 'Ada.King@example.com', domain: 'example.com' });
  });

  it('drops the trailing dot of a fully qualified domain', () => {
    expect(parseMailbox('ada@example.com.')?.domain).toBe('example.com');
  });

  it('turns an internationalised domain into punycode', () => {
    expect(parseMailbox('jörg@bücher.de')).toBeNull(); // the local part stays ASCII (no SMTPUTF8)
    expect(parseMailbox('joerg@bücher.de')).toEqual({ name: null, address: 'joerg@xn--bcher-kva.de', domain: 'xn--bcher-kva.de' });
    expect(parseMailbox('Kenji <kenji@例え.jp>')).toEqual({ name: 'Kenji', address: 'kenji@xn--r8jz45g.jp', domain: 'xn--r8jz45g.jp' });
    expect(parseMailbox('info@MÜNCHEN.de')?.domain).toBe('xn--mnchen-3ya.de');
  });

  it('accepts the RFC 5322 dot-atom characters and subdomains', () => {
    expect(parseMailbox("o'brien+tag_1@mail.eu.example.co.uk")?.address).toBe("o'brien+tag_1@mail.eu.example.co.uk");
    expect(parseMailbox('a@b-c.example')?.domain).toBe('b-c.example');
  });

  it.each([
    '',
    ' ',
    'ada',
    'ada@',
    '@example.com',
    'ada@example',
    'ada@localhost',
    'ada@.example.com',
    'ada@example..com',
    'ada@-example.com',
    'ada@example-.com',
    'ada@example.123',
    'ada@127.0.0.1',
    'ada@[127.0.0.1]',
    'ada@exa mple.com',
    'ada@exa_mple.com',
    'ada lovelace@example.com',
    '.ada@example.com',
    'ada.@example.com',
    'ada..king@example.com',
    'ada@b@example.com',
    '"ada king"@example.com',
    'Ada <ada@example.com',
    'Ada ada@example.com>',
    'Ada <>',
    'Ada <ada@example.com> trailing',
    // Several mailboxes in one string, or a name that would read as more addresses in a header.
    '<ada@example.com>, <bob@example.com>',
    'ada@example.com, bob@example.com',
    'Ada <x@example.org> <ada@example.com>',
    'Lovelace, Ada <ada@example.com>',
    'Ada; Bob <ada@example.com>',
    '"Ada <bob@example.org>" <ada@example.com>',
  ])('refuses %j', (text) => {
    expect(parseMailbox(text)).toBeNull();
  });

  it.each([
    'ada@example.com\r\nBcc: victim@example.org',
    'ada@example.com\nBcc: victim@example.org',
    'Ada\r\nBcc: victim@example.org <ada@example.com>',
    'Ada <ada@example.com>\r\n',
    'ada@example.com\r',
    '\nada@example.com',
  ])('refuses line breaks (header injection): %j', (text) => {
    expect(parseMailbox(text)).toBeNull();
  });

  it('enforces the RFC 5321 lengths', () => {
    expect(parseMailbox(`${'a'.repeat(64)}@example.com`)).not.toBeNull();
    expect(parseMailbox(`${'a'.repeat(65)}@example.com`)).toBeNull();
    expect(parseMailbox(`ada@${'a'.repeat(63)}.com`)).not.toBeNull();
    expect(parseMailbox(`ada@${'a'.repeat(64)}.com`)).toBeNull();
    const longDomain = `${Array.from({ length: 4 }, () => 'd'.repeat(60)).join('.')}.com`;
    expect(longDomain.length).toBeLessThanOrEqual(253);
    const fits = 254 - 1 - longDomain.length;
    expect(parseMailbox(`${'a'.repeat(fits)}@${longDomain}`)?.address).toHaveLength(254);
    expect(parseMailbox(`${'a'.repeat(fits + 1)}@${longDomain}`)).toBeNull(); // 255 > 254
  });
});

describe('normaliseDomain', () => {
  it.each([
    ['example.com', 'example.com'],
    ['EXAMPLE.com', 'example.com'],
    [' example.com ', 'example.com'],
    ['example.com.', 'example.com'],
    ['bücher.de', 'xn--bcher-kva.de'],
    ['xn--bcher-kva.de', 'xn--bcher-kva.de'],
    ['mail.example.co.uk', 'mail.example.co.uk'],
  ])('normalises %j to %j', (input, output) => {
    expect(normaliseDomain(input)).toBe(output);
  });

  it.each(['', 'com', 'localhost', '.com', 'example..com', 'exa mple.com', '-a.com', 'a-.com', '1.2.3.4', 'example.c_m', `${'a'.repeat(64)}.com`])(
    'refuses %j',
    (input) => {
      expect(normaliseDomain(input)).toBeNull();
    },
  );
});
