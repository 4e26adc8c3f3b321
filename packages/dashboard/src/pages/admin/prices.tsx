/** Admin → Prices: the price list per channel and destination prefix, and a "what would this cost" tester. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, withQuery } from '../../lib/api.ts';
import { PRICE_CHANNELS, PRICE_UNIT, prefixLabel, type PriceList, type PriceQuote } from '../../lib/admin.ts';
import { Button } from '../../ui/button.tsx';
import { ConfirmButton } from '../../ui/dialog.tsx';
import { Empty, ErrorNote, Notice, Query } from '../../ui/feedback.tsx';
import { Field, Select } from '../../ui/field.tsx';
import { PageHeader, Section, Table, Td } from '../../ui/layout.tsx';

function ChannelOptions() {
  return (
    <>
      {PRICE_CHANNELS.map((c) => (
        <option key={c} value={c}>
          {c} ({PRICE_UNIT[c]})
        </option>
      ))}
    </>
  );
}

/** The price list page. */
export function AdminPricesPage() {
  const [channel, setChannel] = useState('');
  const list = useQuery({ queryKey: ['admin', 'prices', channel], queryFn: () => api<PriceList>('GET', withQuery('/admin/prices', { channel })) });
  return (
    <>
      <PageHeader
        title="Prices"
        intro="What each send, lookup and verification costs, by destination prefix: the longest matching prefix wins, and the default row prices everything else. Changes apply to the next request."
      />
      <Tester />
      <SetPrice />
      <Section
        title="Price list"
        actions={
          <Select label="Channel shown" value={channel} onChange={(e) => setChannel(e.target.value)} className="w-56">
            <option value="">All channels</option>
            <ChannelOptions />
          </Select>
        }
      >
        <Query q={list}>
          {(p) =>
            p.data.length === 0 ? (
              <Empty>No rate is set: requests on this channel are refused until one is.</Empty>
            ) : (
              <Table caption="Price list" head={['Channel', 'Prefix', 'Price', '']}>
                {p.data.map((r) => (
                  <tr key={`${r.channel}:${r.prefix}`}>
                    <Td>{r.channel}</Td>
                    <Td className="font-mono">{prefixLabel(r.prefix)}</Td>
                    <Td className="tabular-nums">
                      {r.price} {p.currency} <span className="text-xs text-zinc-500">{PRICE_UNIT[r.channel]}</span>
                    </Td>
                    <Td className="text-right">
                      <DeletePrice channel={r.channel} prefix={r.prefix} />
                    </Td>
                  </tr>
                ))}
              </Table>
            )
          }
        </Query>
      </Section>
    </>
  );
}

function DeletePrice({ channel, prefix }: { channel: string; prefix: string }) {
  const qc = useQueryClient();
  return (
    <ConfirmButton
      label="Delete"
      look="ghost"
      ariaLabel={`Delete ${channel} ${prefix === '' ? 'default' : `+${prefix}`}`}
      title={`Delete the ${channel} rate for ${prefixLabel(prefix)}?`}
      question={
        prefix === ''
          ? 'Destinations no other prefix matches will be refused (422) until a default rate is set again.'
          : 'Destinations it priced fall back to a shorter prefix, or the default rate.'
      }
      confirm="Delete rate"
      action={async () => {
        await api('DELETE', '/admin/prices', { channel, prefix });
        await qc.invalidateQueries({ queryKey: ['admin', 'prices'] });
      }}
    />
  );
}

function SetPrice() {
  const qc = useQueryClient();
  const [form, setForm] = useState({ channel: 'sms', prefix: '', price: '' });
  const [done, setDone] = useState<string | null>(null);
  const set = useMutation({
    mutationFn: () => api<{ channel: string; prefix: string; price: string; currency: string }>('PUT', '/admin/prices', { channel: form.channel, prefix: form.prefix.trim().replace(/^\+/, ''), price: form.price.trim() }),
    onMutate: () => setDone(null),
    onSuccess: async (r) => {
      setDone(`Set: ${r.channel} ${prefixLabel(r.prefix)} costs ${r.price} ${r.currency} ${PRICE_UNIT[r.channel] ?? ''}.`);
      setForm({ ...form, prefix: '', price: '' });
      await qc.invalidateQueries({ queryKey: ['admin', 'prices'] });
    },
  });
  return (
    <Section title="Set a price">
      <form
        noValidate
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          set.mutate();
        }}
      >
        <Select label="Channel" value={form.channel} onChange={(e) => setForm({ ...form, channel: e.target.value })} className="w-56">
          <ChannelOptions />
        </Select>
        <Field label="Prefix" hint='Digits, up to 8 (e.g. 44). Empty: the default rate.' inputMode="numeric" value={form.prefix} onChange={(e) => setForm({ ...form, prefix: e.target.value })} className="w-44" />
        <Field label="Price" hint="A decimal, e.g. 0.0400" inputMode="decimal" required value={form.price} onChange={(e) => setForm({ ...form, price: e.target.value })} className="w-36" />
        <Button type="submit" look="primary" busy={set.isPending}>
          Set price
        </Button>
      </form>
      <ErrorNote error={set.error} />
      {done && <Notice>{done}</Notice>}
    </Section>
  );
}

function Tester() {
  const [channel, setChannel] = useState('sms');
  const [to, setTo] = useState('');
  const quote = useMutation({ mutationFn: () => api<PriceQuote>('GET', withQuery('/admin/prices/quote', { channel, to: to.trim() })) });
  const byNumber = channel === 'sms' || channel === 'lookup';
  return (
    <Section title="What would this cost">
      <form
        noValidate
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          quote.mutate();
        }}
      >
        <Select
          label="Channel"
          value={channel}
          onChange={(e) => {
            setChannel(e.target.value);
            quote.reset();
          }}
          className="w-56"
        >
          <ChannelOptions />
        </Select>
        <Field
          label={byNumber ? 'Number' : 'Email address'}
          hint={byNumber ? 'In E.164, e.g. +447911123456' : 'e.g. someone@example.com'}
          required
          value={to}
          onChange={(e) => setTo(e.target.value)}
          className="w-64"
        />
        <Button type="submit" busy={quote.isPending}>
          Get price
        </Button>
      </form>
      <ErrorNote error={quote.error} />
      {quote.data && (
        <dl aria-label="Quote" className="mt-3 grid grid-cols-1 gap-2 rounded-md bg-zinc-50 p-3 text-sm sm:grid-cols-3 dark:bg-zinc-800">
          <div>
            <dt className="text-zinc-500">Destination</dt>
            <dd className="font-mono">{quote.data.to}</dd>
          </div>
          <div>
            <dt className="text-zinc-500">Price</dt>
            <dd className="text-lg font-semibold tabular-nums" data-testid="quote-price">
              {quote.data.price} {quote.data.currency} <span className="text-xs font-normal text-zinc-500">{PRICE_UNIT[quote.data.channel]}</span>
            </dd>
          </div>
          <div>
            <dt className="text-zinc-500">Matching prefix</dt>
            <dd className="font-mono" data-testid="quote-prefix">
              {prefixLabel(quote.data.prefix)}
            </dd>
          </div>
        </dl>
      )}
    </Section>
  );
}
