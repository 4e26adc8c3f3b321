import { describe, expect, it } from 'vitest';
import { DEFAULT_PRICES } from '../../src/store/default-prices.ts';
import { PriceTable } from '../../src/modules/billing/pricing.ts';

const table = (rows: Record<string, number>) => new PriceTable(Object.entries(rows).map(([prefix, price_micros]) => ({ prefix, price_micros })));

describe('PriceTable.quote (the admin price tester)', () => {
  const t = table({ '': 50_000, '44': 40_000, '4479': 47_000 });

  it('names the prefix whose row decided the rate, "" for the default, and agrees with priceOf', () => {
    expect(t.quote('+447911123456', 'to')).toEqual({ prefix: '4479', price: 47_000 });
    expect(t.quote('+442071234567', 'to')).toEqual({ prefix: '44', price: 40_000 });
    expect(t.quote('+33612345678', 'to')).toEqual({ prefix: '', price: 50_000 });
    for (const to of ['+447911123456', '+442071234567', '+33612345678']) expect(t.quote(to, 'to').price).toBe(t.priceOf(to, 'to'));
  });

  it('throws the accept path\'s 422 when nothing matches', () => {
    expect(() => table({ '44': 1 }).quote('+33612345678', 'to')).toThrow('No SMS price is set for +33612345678');
  });
});

describe('PriceTable.rateFor', () => {
  const t = table({ '': 50_000, '1': 8_000, '44': 40_000, '447': 45_000, '4479': 47_000, '1242': 90_000 });

  it('picks the longest matching prefix', () => {
    expect(t.rateFor('+447911123456')).toBe(47_000);
    expect(t.rateFor('+447700900123')).toBe(45_000);
    expect(t.rateFor('+442071234567')).toBe(40_000);
    expect(t.rateFor('+12425551234')).toBe(90_000); // Bahamas, inside +1
    expect(t.rateFor('+14155552671')).toBe(8_000);
  });

  it('falls back to the "" rate when no prefix matches', () => {
    expect(t.rateFor('+33612345678')).toBe(50_000);
    expect(t.rateFor('+8613800138000')).toBe(50_000);
  });

  it('reads destinations with or without "+"', () => {
    expect(t.rateFor('447911123456')).toBe(t.rateFor('+447911123456'));
    expect(t.rateFor('33612345678')).toBe(50_000);
  });

  it('does not match a prefix longer than the destination', () => {
    const short = table({ '': 1, '4479': 2 });
    expect(short.rateFor('+447')).toBe(1);
    expect(short.rateFor('+4479')).toBe(2);
  });

  it('answers null when nothing, not even "", matches', () => {
    const noDefault = table({ '1': 8_000, '44': 40_000 });
    expect(noDefault.rateFor('+14155552671')).toBe(8_000);
    expect(noDefault.rateFor('+33612345678')).toBeNull();
    expect(table({}).rateFor('+14155552671')).toBeNull();
  });

  it('keeps a zero rate (free destinations are not "no price")', () => {
    const free = table({ '': 50_000, '1': 0 });
    expect(free.rateFor('+14155552671')).toBe(0);
  });

  it('gives the default price list a rate for every destination', () => {
    const sms = new PriceTable(DEFAULT_PRICES.filter((p) => p.channel === 'sms'));
    expect(sms.rateFor('+14155552671')).toBe(8_000);
    expect(sms.rateFor('+2348012345678')).toBe(30_000); // 234 beats nothing shorter
    expect(sms.rateFor('+8613800138000')).toBe(35_000);
    expect(sms.rateFor('+99912345678')).toBe(50_000);
    const email = new PriceTable(DEFAULT_PRICES.filter((p) => p.channel === 'email'));
    expect(email.rateFor('')).toBe(1_000);
  });
});
