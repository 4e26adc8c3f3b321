import { type FieldError, validationError } from '../lib/errors.ts';
import { parseRfc3339 } from '../lib/time.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A bound of a `from`/`to` filter: an RFC 3339 timestamp, or a date (YYYY-MM-DD: its midnight, UTC). Null when neither. */
export function parseBound(text: string): number | null {
  return parseRfc3339(DATE.test(text) ? `${text}T00:00:00Z` : text);
}

/**
 * Reads the `from` (inclusive) and `to` (exclusive) bounds a list or a series was given; every
 * malformed one is a 422 naming its field, and `to` must come after `from`.
 */
export function parseRange(q: { from?: string | undefined; to?: string | undefined }): { from?: number; to?: number } {
  const errors: FieldError[] = [];
  const out: { from?: number; to?: number } = {};
  for (const field of ['from', 'to'] as const) {
    const raw = q[field];
    if (raw === undefined) continue;
    const ms = parseBound(raw);
    if (ms === null) errors.push({ field, message: 'must be an RFC 3339 timestamp or a date (YYYY-MM-DD)' });
    else out[field] = ms;
  }
  if (out.from !== undefined && out.to !== undefined && out.to <= out.from) errors.push({ field: 'to', message: 'must be after from' });
  if (errors.length > 0) throw validationError(errors);
  return out;
}
