/** Usage: messages and spend per channel over time, as charts and as the API's own numbers. */
import { useMemo, useState } from 'react';
import { useAccountId } from '../../lib/account.ts';
import { count, dateTime, money } from '../../lib/format.ts';
import { micros, series, useUsage, WINDOWS, type Usage, type WindowKey } from '../../lib/usage.ts';
import { TimeChart } from '../../ui/chart.tsx';
import { Empty, Query } from '../../ui/feedback.tsx';
import { Badge, PageHeader, Section, statusTone, Table, Td } from '../../ui/layout.tsx';
import { Stat, WindowPicker } from './overview.tsx';

/** The account's usage page. */
export function UsagePage() {
  const accountId = useAccountId();
  const [w, setW] = useState<WindowKey>('30d');
  const q = useUsage(accountId, w);
  return (
    <>
      <PageHeader title="Usage" intro="Messages and what they cost, per channel, counted by the server. Sandbox messages are counted and cost nothing; refunded ones show under their status." actions={<WindowPicker value={w} onChange={setW} />} />
      <Query q={q}>{(u) => (u.totals.count === 0 ? <Empty>No messages in the last {WINDOWS[w].label}.</Empty> : <UsageView u={u} w={w} />)}</Query>
    </>
  );
}

function UsageView({ u, w }: { u: Usage; w: WindowKey }) {
  const counts = useMemo(() => series(u, (c) => c.channel.toUpperCase()), [u]);
  // Spend per bucket and channel: the API's amounts added up exactly in micro-units.
  const spend = useMemo(() => {
    const s = series(u, (c) => c.channel.toUpperCase(), (c) => micros(c.spend));
    return { x: s.x, series: s.series.map((l) => ({ label: `${l.label} (${u.currency})`, values: l.values.map((v) => v / 1_000_000) })) };
  }, [u]);
  const per = u.granularity === 'hour' ? 'hour' : 'day';
  return (
    <>
      <Section title="Totals">
        <dl className="grid gap-4 sm:grid-cols-3">
          <Stat label="Messages" value={count(u.totals.count)} note={`${dateTime(u.from)} – ${dateTime(u.to)}`} />
          <Stat label="Spend" value={money(u.totals.spend, u.currency)} />
        </dl>
        <div className="mt-4">
          <Table caption="Per channel" head={['Channel', 'Messages', 'Spend', 'Delivered', 'Failed', 'Bounced']}>
            {u.channels.map((c) => (
              <tr key={c.channel}>
                <Td className="font-medium uppercase">{c.channel}</Td>
                <Td className="tabular-nums">{count(c.count)}</Td>
                <Td className="tabular-nums">{money(c.spend, u.currency)}</Td>
                <Td className="tabular-nums">{c.rates.delivered} % ({count(c.delivered)})</Td>
                <Td className="tabular-nums">{c.rates.failed} % ({count(c.failed)})</Td>
                <Td className="tabular-nums">{c.rates.bounced} % ({count(c.bounced)})</Td>
              </tr>
            ))}
          </Table>
        </div>
      </Section>
      <Section title="Charts">
        <div className="grid grid-cols-1 gap-6 lg:grid-cols-2">
          <TimeChart title={`Messages per ${per}, last ${WINDOWS[w].label}`} x={counts.x} series={counts.series} />
          <TimeChart title={`Spend per ${per}, last ${WINDOWS[w].label}`} x={spend.x} series={spend.series} />
        </div>
      </Section>
      <Section title="The numbers">
        <Table caption={`Messages and spend per ${per}, channel and status`} head={[per === 'hour' ? 'Hour' : 'Day', 'Channel', 'Status', 'Messages', 'Spend']}>
          {[...u.data].reverse().map((c) => (
            <tr key={`${c.bucket}|${c.channel}|${c.status}`}>
              <Td className="whitespace-nowrap">{per === 'hour' ? dateTime(c.bucket) : c.bucket.slice(0, 10)}</Td>
              <Td className="uppercase">{c.channel}</Td>
              <Td>
                <Badge tone={statusTone(c.status)}>{c.status}</Badge>
              </Td>
              <Td className="tabular-nums">{count(c.count)}</Td>
              <Td className="tabular-nums">{money(c.spend, u.currency)}</Td>
            </tr>
          ))}
        </Table>
      </Section>
    </>
  );
}
