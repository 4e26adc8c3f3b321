/** The account's traffic as the usage route counts it, shaped for charts (Overview and Usage). */
import { useQuery } from '@tanstack/react-query';
import { api, withQuery } from './api.ts';
import { accountPath } from './account.ts';

/** One cell of the usage series: a bucket, a channel and a status. */
export interface UsageCell {
  bucket: string;
  channel: string;
  status: string;
  count: number;
  spend: string;
}

/** One channel over the whole range, with the rates the server computed. */
export interface ChannelSummary {
  channel: string;
  count: number;
  spend: string;
  statuses: Record<string, number>;
  delivered: number;
  failed: number;
  bounced: number;
  rates: { delivered: string; failed: string; bounced: string };
}

/** The answer of GET /accounts/{id}/usage. */
export interface Usage {
  granularity: 'hour' | 'day';
  from: string;
  to: string;
  currency: string;
  data: UsageCell[];
  totals: { count: number; spend: string };
  channels: ChannelSummary[];
}

/** The windows people pick between, and the usage query each one asks. */
export const WINDOWS = {
  '24h': { label: '24 hours', granularity: 'hour', days: 1 },
  '7d': { label: '7 days', granularity: 'hour', days: 7 },
  '30d': { label: '30 days', granularity: 'day', days: 30 },
} as const;
export type WindowKey = keyof typeof WINDOWS;

/** The usage route's query string for a window ending now (the server widens it to whole buckets). */
export function usageQuery(w: WindowKey, now = Date.now()): { granularity: string; from: string } {
  const { granularity, days } = WINDOWS[w];
  return { granularity, from: new Date(now - days * 86_400_000).toISOString() };
}

/** Fetches the usage series of a window; the key carries the window, so a switch refetches. */
export function useUsage(accountId: string, w: WindowKey) {
  return useQuery({
    queryKey: ['usage', accountId, w],
    queryFn: () => api<Usage>('GET', withQuery(accountPath(accountId, '/usage'), usageQuery(w))),
  });
}

/**
 * Every bucket of the range (seconds since the epoch, for uPlot) with one series per `keyOf`
 * value; buckets the API left out had no messages, so they are zero.
 */
export function series(u: Usage, keyOf: (c: UsageCell) => string | null, value: (c: UsageCell) => number = (c) => c.count) {
  const width = u.granularity === 'hour' ? 3_600_000 : 86_400_000;
  const start = Date.parse(u.from);
  const n = Math.max(0, Math.round((Date.parse(u.to) - start) / width));
  const x = Array.from({ length: n }, (_, i) => (start + i * width) / 1000);
  const lines = new Map<string, number[]>();
  for (const c of u.data) {
    const k = keyOf(c);
    if (k === null) continue;
    const i = Math.round((Date.parse(c.bucket) - start) / width);
    if (i < 0 || i >= n) continue;
    const line = lines.get(k) ?? new Array<number>(n).fill(0);
    line[i]! += value(c);
    lines.set(k, line);
  }
  return { x, series: [...lines.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([label, values]) => ({ label, values })) };
}

/** Micro-units of a decimal money string, to add amounts exactly. */
export function micros(amount: string): number {
  const [whole = '0', frac = ''] = amount.replace('-', '').split('.');
  const v = Number(whole) * 1_000_000 + Number(frac.padEnd(6, '0').slice(0, 6));
  return amount.startsWith('-') ? -v : v;
}
