/**
 * Schedules written in words, as Resend's `scheduled_at` accepts them: "in 1 min", "in 2 hours",
 * "in an hour", "tomorrow at 9am", "now". Times of day are read in UTC: the text names no zone,
 * and the server's own zone must not change what a request means.
 */

const UNIT_MS: Record<string, number> = {
  s: 1_000, sec: 1_000, secs: 1_000, second: 1_000, seconds: 1_000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hr: 3_600_000, hrs: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, week: 604_800_000, weeks: 604_800_000,
};

const IN = /^in\s+(\d{1,6}|an?)\s*([a-z]+)$/;
const DAY_AT = /^(today|tomorrow)(?:\s+at\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm)?)?$/;

/** The hour of "9am", "12pm", "21", or null when it is no hour of a day. */
function hourOf(h: number, meridiem: string | undefined): number | null {
  if (meridiem === undefined) return h <= 23 ? h : null;
  if (h < 1 || h > 12) return null;
  return (h % 12) + (meridiem === 'pm' ? 12 : 0);
}

/**
 * Epoch milliseconds for a schedule in words, relative to `now`; null when the text is not one
 * of the forms above (the caller then reads it as a timestamp). "tomorrow" alone means 09:00 UTC.
 */
export function parseNaturalTime(text: string, now: number): number | null {
  const t = text.trim().toLowerCase().replace(/\s+/g, ' ');
  if (t === 'now') return now;
  const rel = IN.exec(t);
  if (rel) {
    const unit = UNIT_MS[rel[2]!];
    if (unit === undefined) return null;
    const n = rel[1] === 'a' || rel[1] === 'an' ? 1 : Number(rel[1]);
    return now + n * unit;
  }
  const day = DAY_AT.exec(t);
  if (day) {
    const hour = day[2] === undefined ? 9 : hourOf(Number(day[2]), day[4]);
    const minute = day[3] === undefined ? 0 : Number(day[3]);
    if (hour === null || minute > 59) return null;
    const d = new Date(now);
    const at = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + (day[1] === 'tomorrow' ? 1 : 0), hour, minute);
    return at;
  }
  return null;
}
