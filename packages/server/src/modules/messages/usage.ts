import { validationError } from '../../lib/errors.ts';
import { formatMicros } from '../../lib/money.ts';
import { rfc3339 } from '../../lib/time.ts';
import { parseRange } from '../date-range.ts';
import type { BillingDeps } from '../billing/account-billing.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Each granularity: its bucket width, the range shown by default, and the longest range it serves. */
export const GRANULARITIES = {
  hour: { width: HOUR, defaultSpan: DAY, maxSpan: 31 * DAY },
  day: { width: DAY, defaultSpan: 30 * DAY, maxSpan: 400 * DAY },
} as const;

export type Granularity = keyof typeof GRANULARITIES;

export interface UsageQuery {
  granularity?: Granularity;
  from?: string;
  to?: string;
  channel?: string;
}

/**
 * The account's messages as a time series for charts: per UTC hour or day, channel and status,
 * how many were created and what the live ones cost (sandbox messages are never charged; failed
 * ones were refunded, and show under their status). Counted in the database (one GROUP BY). The
 * range is widened to whole buckets — `from` down, `to` up — and is 24 hours or 30 days back
 * from now by default; empty buckets are left out.
 */
export async function usageSeries(deps: BillingDeps, accountId: string, q: UsageQuery) {
  const granularity = q.granularity ?? 'day';
  const g = GRANULARITIES[granularity];
  const range = parseRange(q);
  const end = range.to ?? deps.clock.now();
  const to = Math.ceil(end / g.width) * g.width;
  const from = Math.floor((range.from ?? to - g.defaultSpan) / g.width) * g.width;
  if (from >= to) throw validationError([{ field: 'from', message: 'must be before to' }]);
  if (to - from > g.maxSpan) {
    throw validationError([{ field: 'to', message: `a ${granularity}ly series spans at most ${g.maxSpan / DAY} days` }]);
  }
  const cells = await deps.store.messages.usage(accountId, { bucketMs: g.width, from, to, ...(q.channel !== undefined ? { channel: q.channel } : {}) });
  return {
    granularity,
    from: rfc3339(from),
    to: rfc3339(to),
    currency: deps.currency,
    data: cells.map((c) => ({ bucket: rfc3339(c.bucket), channel: c.channel, status: c.status, count: c.count, spend: formatMicros(c.spend) })),
    totals: {
      count: cells.reduce((n, c) => n + c.count, 0),
      spend: formatMicros(cells.reduce((n, c) => n + c.spend, 0)),
    },
    channels: channelSummary(cells),
  };
}

// The outcomes a delivery rate is reported for; `undelivered` (the network took it, the phone
// never got it) counts as failed: the reader of a rate wants to know what did not arrive.
const OUTCOMES = { delivered: ['delivered'], failed: ['failed', 'undelivered'], bounced: ['bounced'] } as const;

/** A share of `whole` as a percentage with one decimal ("66.7"), rounded half up, from integers. */
export function rate(part: number, whole: number): string {
  const tenths = Math.floor((2000 * part + whole) / (2 * whole));
  return `${Math.floor(tenths / 10)}.${tenths % 10}`;
}

/**
 * Per channel over the whole range: messages, spend, counts per status, and the delivered,
 * failed and bounced rates (of every message created in the range, pending ones included), so
 * that every client shows the same figures.
 */
function channelSummary(cells: { channel: string; status: string; count: number; spend: number }[]) {
  const by = new Map<string, { count: number; spend: number; statuses: Record<string, number> }>();
  for (const c of cells) {
    const s = by.get(c.channel) ?? { count: 0, spend: 0, statuses: {} };
    s.count += c.count;
    s.spend += c.spend;
    s.statuses[c.status] = (s.statuses[c.status] ?? 0) + c.count;
    by.set(c.channel, s);
  }
  return [...by.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([channel, s]) => {
      const n = (statuses: readonly string[]) => statuses.reduce((k, st) => k + (s.statuses[st] ?? 0), 0);
      return {
        channel,
        count: s.count,
        spend: formatMicros(s.spend),
        statuses: s.statuses,
        delivered: n(OUTCOMES.delivered),
        failed: n(OUTCOMES.failed),
        bounced: n(OUTCOMES.bounced),
        rates: { delivered: rate(n(OUTCOMES.delivered), s.count), failed: rate(n(OUTCOMES.failed), s.count), bounced: rate(n(OUTCOMES.bounced), s.count) },
      };
    });
}
