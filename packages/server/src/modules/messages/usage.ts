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
  };
}
