import { describe, expect, it } from 'vitest';
import { TtlCache } from '../../src/modules/email-verify/cache.ts';
import { isDisposableDomain, isFreeDomain, isRoleLocalPart } from '../../src/modules/email-verify/lists.ts';
import { editDistance, suggestDomain } from '../../src/modules/email-verify/suggestion.ts';

describe('disposable, free and role lists', () => {
  it.each(['mailinator.com', 'yopmail.com', 'guerrillamail.com', '10minutemail.com', 'abc.mailinator.com'])('%s is disposable', (d) => {
    expect(isDisposableDomain(d)).toBe(true);
  });

  it.each(['gmail.com', 'example.com', 'hellio.dev', 'com'])('%s is not disposable', (d) => {
    expect(isDisposableDomain(d)).toBe(false);
  });

  it.each(['gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'gmx.de', 'mail.ru', 'yahoo.co.jp'])('%s is a free provider', (d) => {
    expect(isFreeDomain(d)).toBe(true);
  });

  it.each(['hellio.dev', 'acme-corp.io', 'mail.google.com'])('%s is not a free provider', (d) => {
    expect(isFreeDomain(d)).toBe(false);
  });

  it.each(['admin', 'Info', 'POSTMASTER', 'support+tickets', 'no-reply', 'noreply', 'webmaster', 'abuse', '"sales"'])('%s is a role', (local) => {
    expect(isRoleLocalPart(local)).toBe(true);
  });

  it.each(['alice', 'admin.smith', 'information-desk-bob', 'infos', 'j.doe'])('%s is a person', (local) => {
    expect(isRoleLocalPart(local)).toBe(false);
  });
});

describe('typo suggestions', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('gmial.com', 'gmail.com')).toBe(1);
    expect(editDistance('yaho.com', 'yahoo.com')).toBe(1);
    expect(editDistance('gmail.con', 'gmail.com')).toBe(1);
    expect(editDistance('gmial.con', 'gmail.com')).toBe(2);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it.each([
    ['gmial.com', 'gmail.com'],
    ['gmai.com', 'gmail.com'],
    ['gamil.com', 'gmail.com'],
    ['gnail.com', 'gmail.com'],
    ['gmail.con', 'gmail.com'],
    ['gmail.co', 'gmail.com'],
    ['gmial.con', 'gmail.com'],
    ['hotmial.com', 'hotmail.com'],
    ['hotmal.com', 'hotmail.com'],
    ['hotmial.co', 'hotmail.com'],
    ['yaho.com', 'yahoo.com'],
    ['yahooo.com', 'yahoo.com'],
    ['yahoo.om', 'yahoo.com'],
    ['outlok.com', 'outlook.com'],
    ['iclod.com', 'icloud.com'],
    ['yahoo.co.uj', 'yahoo.co.uk'],
  ])('suggests %s → %s', (typed, meant) => {
    expect(suggestDomain(typed)).toBe(meant);
  });

  it.each([
    'gmail.com', 'hotmail.com', 'mail.com', 'email.com', 'ymail.com', 'gmx.de', 'live.com', 'hotmail.ca', 'yahoo.ro',
    'outlook.cz', 'box.net', 'ge.com', 'acme.com', 'example.com', 'gmail.net', 'hellio.dev',
  ])('leaves %s alone', (domain) => {
    expect(suggestDomain(domain)).toBeNull();
  });
});

describe('TtlCache', () => {
  it('keeps values for their time to live, then forgets them', () => {
    let now = 1_000;
    const c = new TtlCache<string>(100, 10, () => now);
    c.set('a', 'x');
    expect(c.get('a')).toBe('x');
    now += 99;
    expect(c.get('a')).toBe('x');
    now += 1;
    expect(c.get('a')).toBeUndefined();
  });

  it('keeps nothing with a zero time to live, and drops the oldest entry when full', () => {
    const none = new TtlCache<number>(0);
    none.set('a', 1);
    expect(none.get('a')).toBeUndefined();
    const small = new TtlCache<number>(60_000, 2);
    small.set('a', 1);
    small.set('b', 2);
    small.set('c', 3);
    expect([small.get('a'), small.get('b'), small.get('c')]).toEqual([undefined, 2, 3]);
  });

  it('computes through misses and caches only what it is told to keep', async () => {
    const c = new TtlCache<number>(60_000);
    let calls = 0;
    const compute = async () => ++calls;
    expect(await c.through('k', compute, (v) => v > 1)).toBe(1);
    expect(await c.through('k', compute, (v) => v > 1)).toBe(2);
    expect(await c.through('k', compute, (v) => v > 1)).toBe(2);
    expect(calls).toBe(2);
  });
});
