import type { FieldError } from '../../lib/errors.ts';
import { parseRfc3339 } from '../../lib/time.ts';

/** How far ahead a message may be scheduled. */
export const MAX_SCHEDULE_AHEAD_MS = 365 * 24 * 3_600_000;

/**
 * How far in the past a `scheduled_at` may be and still mean "now": a client's clock a little
 * behind ours, or a request that took a while to arrive. Further back, it is an error rather than
 * a silent "now" (a stale retry of yesterday's schedule should not go out unannounced).
 */
export const SCHEDULE_PAST_TOLERANCE_MS = 60_000;

/**
 * Reads an optional `scheduled_at`: null for "send now" (absent, or not in the future and within
 * SCHEDULE_PAST_TOLERANCE_MS of now), epoch ms otherwise; a malformed, too-distant or too-old
 * value adds a field error.
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
  if (now - ms > SCHEDULE_PAST_TOLERANCE_MS) {
    errors.push({ field: 'scheduled_at', message: `must not be more than ${SCHEDULE_PAST_TOLERANCE_MS / 1000} seconds in the past` });
    return null;
  }
  return ms > now ? ms : null;
}
