import { describe, expect, it } from 'vitest';
import { rate } from '../../src/modules/messages/usage.ts';

describe('usage rates', () => {
  it('are percentages with one decimal, rounded half up, computed from integers', () => {
    expect(rate(0, 3)).toBe('0.0');
    expect(rate(1, 3)).toBe('33.3');
    expect(rate(2, 3)).toBe('66.7');
    expect(rate(3, 3)).toBe('100.0');
    expect(rate(1, 16)).toBe('6.3'); // 6.25: half up, where floating point might say 6.2
    expect(rate(1, 2000)).toBe('0.1'); // 0.05 → 0.1
    expect(rate(1, 2001)).toBe('0.0');
  });
});
