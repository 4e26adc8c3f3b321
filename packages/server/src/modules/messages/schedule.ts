import type { FieldError } from '../../lib/errors.ts';
import { parseRfc3339 } from '../../lib/time.ts';

/** How far ahead a message may be scheduled. */
export const MAX_SCHEDULE_AHEAD_MS = 365 * 24 * 3_600_000;

/**
 * Reads an optional `scheduled_at`: null for "send now" (absent, or not in the future),
 * epoch ms otherwise; a malformed or too-distant value adds a field error.
 */
export function scheduleOf(value: string | undefined, now: number, errors: FieldError[]): number | null {
  if (value === undefined) return null;
  const ms = parseRfc3339(value);
  if (ms === null) {
    errors.push({ field: 'scheduled_at', message: 'must be an RFC 3339 timestamp with a time zone, e.g. 2026-12-01T09:00:00Z' });
    return null;
  }
  if (ms - now > MAX_SCHEDULE_AHEAD_MS) {
    errors.push({ field: 'scheduled_at', message: 'must be within one year' });
    return null;
  }
  return ms > now ? ms : null;
}
