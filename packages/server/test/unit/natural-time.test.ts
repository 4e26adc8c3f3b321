import { describe, expect, it } from 'vitest';
import { parseNaturalTime } from '../../src/lib/natural-time.ts';

const NOW = Date.UTC(2026, 11, 6, 14, 30, 15);
const at = (text: string) => parseNaturalTime(text, NOW);

describe('parseNaturalTime', () => {
  it('reads "in N unit" in every spelling of the units', () => {
    expect(at('in 1 min')).toBe(NOW + 60_000);
    expect(at('in 1 minute')).toBe(NOW + 60_000);
    expect(at('in 5 mins')).toBe(NOW + 300_000);
    expect(at('in 30 sec')).toBe(NOW + 30_000);
    expect(at('in 30 seconds')).toBe(NOW + 30_000);
    expect(at('in 2 hours')).toBe(NOW + 7_200_000);
    expect(at('in 3 hrs')).toBe(NOW + 10_800_000);
    expect(at('in 1 day')).toBe(NOW + 86_400_000);
    expect(at('in 2 weeks')).toBe(NOW + 14 * 86_400_000);
    expect(at('in 10m')).toBe(NOW + 600_000);
  });

  it('reads "a" and "an" as one, and ignores case and extra spaces', () => {
    expect(at('in an hour')).toBe(NOW + 3_600_000);
    expect(at('in a minute')).toBe(NOW + 60_000);
    expect(at('  In   2   Hours ')).toBe(NOW + 7_200_000);
  });

  it('reads "now", "today at …" and "tomorrow at …" in UTC', () => {
    expect(at('now')).toBe(NOW);
    expect(at('tomorrow')).toBe(Date.UTC(2026, 11, 7, 9, 0));
    expect(at('tomorrow at 9am')).toBe(Date.UTC(2026, 11, 7, 9, 0));
    expect(at('tomorrow at 12am')).toBe(Date.UTC(2026, 11, 7, 0, 0));
    expect(at('tomorrow at 12pm')).toBe(Date.UTC(2026, 11, 7, 12, 0));
    expect(at('tomorrow at 3:45 pm')).toBe(Date.UTC(2026, 11, 7, 15, 45));
    expect(at('today at 18:05')).toBe(Date.UTC(2026, 11, 6, 18, 5));
  });

  it('crosses month and year ends', () => {
    expect(parseNaturalTime('tomorrow at 8am', Date.UTC(2026, 11, 31, 20, 0))).toBe(Date.UTC(2027, 0, 1, 8, 0));
  });

  it('answers null for anything else (the caller reads it as a timestamp)', () => {
    for (const t of ['2026-12-07T09:00:00Z', 'in', 'in 1', 'in 1 fortnight', 'in -1 min', 'in 1.5 hours', 'yesterday', 'tomorrow at 13pm', 'tomorrow at 0am', 'tomorrow at 24', 'today at 9:60', 'in 1234567 min', '']) {
      expect(at(t), t).toBeNull();
    }
  });
});
