/** Overview: the balance, today's spend against the caps, delivery per channel, and the latest failures. */
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useMemo, useState } from 'react';
import { accountPath, useAccountId, useCanRead } from '../../lib/account.ts';
import { api, withQuery, type Page } from '../../lib/api.ts';
import { count, dateTime, money } from '../../lib/format.ts';
import { series, useUsage, WINDOWS, type ChannelSummary, type WindowKey } from '../../lib/usage.ts';
import { TimeChart } from '../../ui/chart.tsx';
import { Empty, Query } from '../../ui/feedback.tsx';
import { Badge, PageHeader, Section, statusTone, Table, Td } from '../../ui/layout.tsx';

/** The answer of GET /accounts/{id}/balance (as GET /balance). */
export interface Balance {
  balance: string;
  currency: string;
  spend_caps: { daily: { limit: string | null; used: string }; monthly: { limit: string | null; used: string } };
}

/** A message as the message list shows it (the fields these pages use). */
export interface MessageRow {
  id: string;
  channel: string;
  status: string;
  to: string | string[];
  error: string | null;
  created_at: string;
  price: string;
  currency: string;
  sandbox: boolean;
}

// Statuses that mean a message did not arrive; the list route filters one status at a time.
const FAILED = ['failed', 'undelivered', 'bounced'] as const;

/** The account's overview page. */
export function OverviewPage() {
  const accountId = useAccountId();
  const canBilling = useCanRead('billing');
  return (
    <>
      <PageHeader title="Overview" intro="Your balance, what you spent today, and how your messages are doing." />
      {canBilling && <MoneySection accountId={accountId} />}
      <DeliverySection accountId={accountId} />
      <FailuresSection accountId={accountId} />
    </>
  );
}

function MoneySection({ accountId }: { accountId: string }) {
  const q = useQuery({ queryKey: ['balance', accountId], queryFn: () => api<Balance>('GET', accountPath(accountId, '/balance')) });
  return (
    <Section title="Wallet and spend">
      <Query q={q}>
        {(b) => (
          <dl className="grid gap-4 sm:grid-cols-3">
            <Stat label="Balance" value={money(b.balance, b.currency)} />
            <CapStat label="Spent today" used={b.spend_caps.daily.used} limit={b.spend_caps.daily.limit} currency={b.currency} period="daily" />
            <CapStat label="Spent this month" used={b.spend_caps.monthly.used} limit={b.spend_caps.monthly.limit} currency={b.currency} period="monthly" />
          </dl>
        )}
      </Query>
    </Section>
  );
}

/** A figure with its label (a term and its description, so screen readers pair them). */
export function Stat({ label, value, note }: { label: string; value: string; note?: string }) {
  return (
    <div className="rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
      <dt className="text-xs uppercase text-zinc-500">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold tabular-nums">{value}</dd>
      {note && <dd className="text-xs text-zinc-500">{note}</dd>}
    </div>
  );
}

function CapStat({ label, used, limit, currency, period }: { label: string; used: string; limit: string | null; currency: string; period: string }) {
  // The bar is drawing only; the figures beside it are the API's.
  const share = limit && Number(limit) > 0 ? Math.min(1, Number(used) / Number(limit)) : 0;
  return (
    <div className="rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
      <dt className="text-xs uppercase text-zinc-500">{label}</dt>
      <dd className="mt-1 text-2xl font-semibold tabular-nums">{money(used, currency)}</dd>
      <dd className="text-xs text-zinc-500">{limit ? `of a ${period} cap of ${money(limit, currency)}` : `no ${period} cap`}</dd>
      {limit && (
        <dd aria-hidden="true" className="mt-2 h-1.5 rounded bg-zinc-200 dark:bg-zinc-800">
          <div className={`h-1.5 rounded ${share >= 0.9 ? 'bg-red-500' : 'bg-indigo-500'}`} style={{ width: `${share * 100}%` }} />
        </dd>
      )}
    </div>
  );
}

/** Three radio buttons choosing the window of the delivery figures and charts. */
export function WindowPicker({ value, onChange }: { value: WindowKey; onChange: (w: WindowKey) => void }) {
  return (
    <fieldset className="flex flex-wrap gap-1 text-sm">
      <legend className="sr-only">Window</legend>
      {(Object.keys(WINDOWS) as WindowKey[]).map((k) => (
        <label
          key={k}
          className="flex cursor-pointer items-center rounded-md border border-zinc-300 px-2.5 py-1 has-[:checked]:border-indigo-600 has-[:checked]:bg-indigo-50 has-[:checked]:font-semibold dark:border-zinc-700 dark:has-[:checked]:bg-zinc-800"
        >
          <input type="radio" name="window" value={k} checked={value === k} onChange={() => onChange(k)} className="mr-1.5 accent-indigo-600" />
          {WINDOWS[k].label}
        </label>
      ))}
    </fieldset>
  );
}

function DeliverySection({ accountId }: { accountId: string }) {
  const [w, setW] = useState<WindowKey>('24h');
  const q = useUsage(accountId, w);
  return (
    <Section title="Delivery" actions={<WindowPicker value={w} onChange={setW} />}>
      <Query q={q}>
        {(u) =>
          u.totals.count === 0 ? (
            <Empty>No messages in the last {WINDOWS[w].label}. Send one with an API key and it shows here.</Empty>
          ) : (
            <>
              <Table caption={`Delivery by channel, last ${WINDOWS[w].label}`} head={['Channel', 'Messages', 'Delivered', 'Failed', 'Bounced', 'Spend']}>
                {u.channels.map((c) => (
                  <ChannelRow key={c.channel} c={c} currency={u.currency} />
                ))}
              </Table>
              <DeliveryCharts u={u} window={w} />
            </>
          )
        }
      </Query>
    </Section>
  );
}

function ChannelRow({ c, currency }: { c: ChannelSummary; currency: string }) {
  const pair = (n: number, pct: string) => (
    <>
      <span className="font-semibold tabular-nums">{pct} %</span> <span className="text-xs text-zinc-500">({count(n)})</span>
    </>
  );
  return (
    <tr>
      <Td className="font-medium uppercase">{c.channel}</Td>
      <Td className="tabular-nums">{count(c.count)}</Td>
      <Td>{pair(c.delivered, c.rates.delivered)}</Td>
      <Td>{pair(c.failed, c.rates.failed)}</Td>
      <Td>{pair(c.bounced, c.rates.bounced)}</Td>
      <Td className="tabular-nums">{money(c.spend, currency)}</Td>
    </tr>
  );
}

function DeliveryCharts({ u, window: w }: { u: Parameters<typeof series>[0]; window: WindowKey }) {
  const volumes = useMemo(() => series(u, (c) => c.channel.toUpperCase()), [u]);
  const outcomes = useMemo(
    () => series(u, (c) => (c.status === 'delivered' ? 'Delivered' : c.status === 'bounced' ? 'Bounced' : c.status === 'failed' || c.status === 'undelivered' ? 'Failed' : null)),
    [u],
  );
  return (
    <div className="mt-4 grid grid-cols-1 gap-6 lg:grid-cols-2">
      <TimeChart title={`Messages per channel, last ${WINDOWS[w].label}`} x={volumes.x} series={volumes.series} />
      <TimeChart title={`Delivered, failed and bounced, last ${WINDOWS[w].label}`} x={outcomes.x} series={outcomes.series} />
    </div>
  );
}

function FailuresSection({ accountId }: { accountId: string }) {
  const q = useQuery({
    queryKey: ['messages', accountId, 'failures'],
    queryFn: async () => {
      const pages = await Promise.all(FAILED.map((status) => api<Page<MessageRow>>('GET', withQuery(accountPath(accountId, '/messages'), { status, limit: 10 }))));
      return pages
        .flatMap((p) => p.data)
        .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id))
        .slice(0, 10);
    },
  });
  return (
    <Section
      title="Latest failures"
      actions={
        <Link to="/accounts/$accountId/messages" params={{ accountId }} search={{ status: 'failed' } as never} className="text-sm text-indigo-700 underline dark:text-indigo-300">
          All messages
        </Link>
      }
    >
      <Query q={q}>
        {(rows) =>
          rows.length === 0 ? (
            <Empty>No failed, undelivered or bounced messages.</Empty>
          ) : (
            <Table caption="Latest failures" head={['When', 'Channel', 'To', 'Status', 'Reason']}>
              {rows.map((m) => (
                <tr key={m.id}>
                  <Td className="whitespace-nowrap">
                    <Link to="/accounts/$accountId/messages/$messageId" params={{ accountId, messageId: m.id }} className="text-indigo-700 underline dark:text-indigo-300">
                      {dateTime(m.created_at)}
                    </Link>
                  </Td>
                  <Td className="uppercase">{m.channel}</Td>
                  <Td className="whitespace-nowrap font-mono text-xs">{Array.isArray(m.to) ? m.to.join(', ') : m.to}</Td>
                  <Td>
                    <Badge tone={statusTone(m.status)}>{m.status}</Badge>
                  </Td>
                  <Td className="text-xs">{m.error ?? '—'}</Td>
                </tr>
              ))}
            </Table>
          )
        }
      </Query>
    </Section>
  );
}
