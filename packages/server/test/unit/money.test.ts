import { describe, expect, it } from 'vitest';
import { formatMicros, MICROS, parseMicros } from '../../src/lib/money.ts';

describe('parseMicros', () => {
  it.each([
    ['10', 10_000_000],
    ['10.5', 10_500_000],
    ['10.00', 10_000_000],
    ['0.0350', 35_000],
    ['0.035', 35_000],
    ['0.000001', 1],
    ['0', 0],
    ['0.0', 0],
    ['007', 7_000_000],
    ['123.456789', 123_456_789],
    [' 2.50 ', 2_500_000],
    ['9007199254.740991', Number.MAX_SAFE_INTEGER],
  ])('parses %j as %i micro-units', (text, micros) => {
    expect(parseMicros(text)).toBe(micros);
  });

  it.each([
    '',
    ' ',
    '.',
    '.5',
    '10.',
    '-1',
    '+1',
    '1e3',
    '0x10',
    '1,5',
    '1 000',
    'abc',
    '10 USD',
    '0.0000001', // finer than a micro-unit
    '1.2.3',
    'NaN',
    'Infinity',
    '１０', // full-width digits
    '1234567890123', // more than 12 whole digits
  ])('refuses %j', (text) => {
    expect(parseMicros(text)).toBeNull();
  });

  it('never returns an imprecise amount', () => {
    // 12 whole digits fit the pattern but not a double's 53 bits once in micro-units.
    for (const text of ['999999999999.999999', '9007199254.740992', '100000000000']) {
      const v = parseMicros(text);
      expect(v === null || Number.isSafeInteger(v), `${text} → ${v}`).toBe(true);
    }
  });

  it('always yields a non-negative integer', () => {
    for (const text of ['1', '1.1', '0.333333', '42.000042']) {
      const v = parseMicros(text)!;
      expect(Number.isInteger(v)).toBe(true);
      expect(v).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('formatMicros', () => {
  it.each([
    [0, '0.0000'],
    [1, '0.000001'],
    [10, '0.00001'],
    [100, '0.0001'],
    [35_000, '0.0350'],
    [8_000, '0.0080'],
    [10_000_000, '10.0000'],
    [10_500_000, '10.5000'],
    [123_456_789, '123.456789'],
    [123_456_780, '123.45678'],
    [1_234_500, '1.2345'],
    [-2_500_000, '-2.5000'],
    [-1, '-0.000001'],
    [Number.MAX_SAFE_INTEGER, '9007199254.740991'],
  ])('formats %i as %j', (micros, text) => {
    expect(formatMicros(micros)).toBe(text);
  });

  it('always shows at least four decimals and at most six', () => {
    for (const m of [0, 1, 12, 123, 1234, 12345, 123456, 1234567, 99 * MICROS]) {
      expect(formatMicros(m)).toMatch(/^-?\d+\.\d{4,6}$/);
    }
  });

  it('round-trips with parseMicros', () => {
    for (const text of ['0.0000', '0.0350', '10.0000', '0.000001', '123.456789', '5.12345']) {
      expect(formatMicros(parseMicros(text)!)).toBe(text);
    }
    for (const m of [0, 1, 7, 35_000, 999_999, 1_000_001, 10_000_000, 987_654_321]) {
      expect(parseMicros(formatMicros(m))).toBe(m);
    }
  });
});
