import { afterEach, describe, expect, it, vi } from 'vitest';
import { isId, newId } from '../../src/lib/ids.ts';

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/** Decodes the 10-character time part back to epoch milliseconds. */
function timeOf(id: string): number {
  const t = id.slice(id.indexOf('_') + 1, id.indexOf('_') + 11);
  let ms = 0;
  for (const ch of t) ms = ms * 32 + CROCKFORD.indexOf(ch);
  return ms;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('newId', () => {
  it.each(['msg', 'cmp', 'otp', 'call', 'lkp', 'ev', 'wh', 'key', 'acc', 'req'])('makes %s_ ids of prefix + 27 characters', (prefix) => {
    const id = newId(prefix);
    expect(id.startsWith(`${prefix}_`)).toBe(true);
    expect(id).toHaveLength(prefix.length + 27);
    expect(id.slice(prefix.length + 1)).toMatch(/^[0-9a-hjkmnp-tv-z]{26}$/); // Crockford: no i, l, o, u
  });

  it('encodes the creation time in its first ten characters', () => {
    const before = Date.now();
    const id = newId('msg');
    const after = Date.now();
    const t = timeOf(id);
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(after);
  });

  it('increases strictly within one millisecond', () => {
    const frozen = Date.now() + 1_000;
    vi.spyOn(Date, 'now').mockReturnValue(frozen);
    const ids = Array.from({ length: 5_000 }, () => newId('msg'));
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!, `${ids[i - 1]} then ${ids[i]}`).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(timeOf(id)).toBe(frozen);
  });

  it('keeps increasing when the clock steps back', () => {
    const t = Date.now() + 5_000;
    const now = vi.spyOn(Date, 'now').mockReturnValue(t);
    const first = newId('msg');
    now.mockReturnValue(t - 3_000);
    const second = newId('msg');
    expect(second > first).toBe(true);
    expect(isId('msg', second)).toBe(true);
  });

  it('orders ids of a later millisecond after those of an earlier one', () => {
    const t = Date.now() + 10_000;
    const now = vi.spyOn(Date, 'now').mockReturnValue(t);
    const early = Array.from({ length: 50 }, () => newId('msg'));
    now.mockReturnValue(t + 1);
    const late = newId('msg');
    for (const e of early) expect(late > e).toBe(true);
    expect(timeOf(late)).toBe(t + 1);
  });

  it('never repeats its random part', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 200; i++) ids.add(newId('key').slice(14));
    expect(ids.size).toBe(200);
  });
});

describe('isId', () => {
  it('accepts what newId makes', () => {
    expect(isId('msg', newId('msg'))).toBe(true);
    expect(isId('cmp', newId('cmp'))).toBe(true);
  });

  it.each([
    ['msg', ''],
    ['msg', 'msg_'],
    ['msg', 'msg'],
    ['cmp', 'msg_01hzy8m2k5t3v7w9x0yzabcdef'], // another type's prefix
    ['msg', 'msgx01hzy8m2k5t3v7w9x0yzabcdef'],
    ['msg', 'msg_01hzy8m2k5t3v7w9x0yzabcde'], // 25 characters
    ['msg', 'msg_01hzy8m2k5t3v7w9x0yzabcdefg'], // 27 characters
    ['msg', 'MSG_01hzy8m2k5t3v7w9x0yzabcdef'],
    ['msg', 'msg_01HZY8M2K5T3V7W9X0YZABCDEF'], // upper case
    ['msg', 'msg_01hzy8m2k5t3v7w9x0yzabcd-f'],
    ['msg', ' msg_01hzy8m2k5t3v7w9x0yzabcdef'],
    ['ms', 'msg_01hzy8m2k5t3v7w9x0yzabcdef'],
  ])('refuses %s / %j', (prefix, id) => {
    expect(isId(prefix, id)).toBe(false);
  });

  it('accepts a well-formed id of the right prefix', () => {
    expect(isId('msg', 'msg_01hzy8m2k5t3v7w9x0yzabcdef')).toBe(true);
  });
});
