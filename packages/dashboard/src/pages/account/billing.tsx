/** Billing: the balance, the spend caps and the low-balance alert, and the wallet's ledger with its CSV. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { accountPath, useAccountId, useCan } from '../../lib/account.ts';
import { api, withQuery } from '../../lib/api.ts';
import { dateTime, money } from '../../lib/format.ts';
import { usePaged } from '../../lib/paged.ts';
import { Button } from '../../ui/button.tsx';
import { Empty, ErrorNote, Notice, Query } from '../../ui/feedback.tsx';
import { Field, Select } from '../../ui/field.tsx';
import { Badge, PageHeader, Section, Table, Td } from '../../ui/layout.tsx';
import { Pager } from '../../ui/pager.tsx';
import { Stat } from './overview.tsx';

/** The answer of GET /accounts/{id}/billing. */
interface Billing {
  balance: string;
  currency: string;
  spend_caps: { daily: { limit: string | null; used: string }; monthly: { limit: string | null; used: string } };
  low_balance_alert: { below: string | null };
}

/** A row of the wallet's ledger. */
interface LedgerRow {
  id: string;
  kind: string;
  amount: string;
  balance_after: string;
  currency: string;
  reference: string | null;
  note: string | null;
  created_at: string;
}

const KINDS = ['topup', 'adjustment', 'debit', 'refund'] as const;

/** The account's billing page. */
export function BillingPage() {
  const accountId = useAccountId();
  const canWrite = useCan('billing');
  const q = useQuery({ queryKey: ['billing', accountId], queryFn: () => api<Billing>('GET', accountPath(accountId, '/billing')) });
  return (
    <>
      <PageHeader title="Billing" intro="The wallet pays for every message as it is accepted; failed, bounced and canceled ones are refunded. Spend caps refuse sends past them." />
      <Section title="Wallet">
        <Query q={q}>
          {(b) => (
            <dl className="grid gap-4 sm:grid-cols-3">
              <Stat label="Balance" value={money(b.balance, b.currency)} />
              <Stat label="Spent today" value={money(b.spend_caps.daily.used, b.currency)} note={b.spend_caps.daily.limit ? `Daily cap ${money(b.spend_caps.daily.limit, b.currency)}` : 'No daily cap'} />
              <Stat
                label="Spent this month"
                value={money(b.spend_caps.monthly.used, b.currency)}
                note={b.spend_caps.monthly.limit ? `Monthly cap ${money(b.spend_caps.monthly.limit, b.currency)}` : 'No monthly cap'}
              />
            </dl>
          )}
        </Query>
      </Section>
      {q.data && <Limits accountId={accountId} billing={q.data} canWrite={canWrite} />}
      <Ledger accountId={accountId} />
    </>
  );
}

// "" in a field means none (null to the API).
const orNull = (s: string) => (s.trim() === '' ? null : s.trim());

function Limits({ accountId, billing, canWrite }: { accountId: string; billing: Billing; canWrite: boolean }) {
  const qc = useQueryClient();
  const [daily, setDaily] = useState(billing.spend_caps.daily.limit ?? '');
  const [monthly, setMonthly] = useState(billing.spend_caps.monthly.limit ?? '');
  const [below, setBelow] = useState(billing.low_balance_alert.below ?? '');
  const done = (b: Billing) => {
    qc.setQueryData(['billing', accountId], b);
    void qc.invalidateQueries({ queryKey: ['balance', accountId] });
    void qc.invalidateQueries({ queryKey: ['audit', accountId] });
  };
  const caps = useMutation({ mutationFn: () => api<Billing>('PUT', accountPath(accountId, '/caps'), { daily: orNull(daily), monthly: orNull(monthly) }), onSuccess: done });
  const alert = useMutation({ mutationFn: () => api<Billing>('PUT', accountPath(accountId, '/alerts/low-balance'), { below: orNull(below) }), onSuccess: done });
  const cur = billing.currency;
  if (!canWrite) {
    return (
      <Section title="Caps and alerts">
        <dl className="grid gap-2 text-sm sm:grid-cols-3">
          <div>
            <dt className="text-zinc-500">Daily cap</dt>
            <dd>{billing.spend_caps.daily.limit ? money(billing.spend_caps.daily.limit, cur) : 'None'}</dd>
          </div>
          <div>
            <dt className="text-zinc-500">Monthly cap</dt>
            <dd>{billing.spend_caps.monthly.limit ? money(billing.spend_caps.monthly.limit, cur) : 'None'}</dd>
          </div>
          <div>
            <dt className="text-zinc-500">Low-balance alert below</dt>
            <dd>{billing.low_balance_alert.below ? money(billing.low_balance_alert.below, cur) : 'None'}</dd>
          </div>
        </dl>
        <p className="mt-2 text-xs text-zinc-500">Owners and admins change these.</p>
      </Section>
    );
  }
  return (
    <Section title="Caps and alerts">
      <div className="grid gap-6 md:grid-cols-2">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            caps.mutate();
          }}
          className="space-y-3"
        >
          <Field label={`Daily cap (${cur})`} hint="Empty for none. Counted per UTC day." inputMode="decimal" value={daily} onChange={(e) => setDaily(e.target.value)} />
          <Field label={`Monthly cap (${cur})`} hint="Empty for none. Counted per UTC month." inputMode="decimal" value={monthly} onChange={(e) => setMonthly(e.target.value)} />
          <ErrorNote error={caps.error} />
          {caps.isSuccess && <Notice>Caps saved.</Notice>}
          <Button type="submit" look="primary" busy={caps.isPending}>
            Save caps
          </Button>
        </form>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            alert.mutate();
          }}
          className="space-y-3"
        >
          <Field
            label={`Alert when the balance falls below (${cur})`}
            hint="A balance.low webhook event is sent when a debit takes the balance below it. Empty for never."
            inputMode="decimal"
            value={below}
            onChange={(e) => setBelow(e.target.value)}
          />
          <ErrorNote error={alert.error} />
          {alert.isSuccess && <Notice>Alert saved.</Notice>}
          <Button type="submit" look="primary" busy={alert.isPending}>
            Save alert
          </Button>
        </form>
      </div>
    </Section>
  );
}

function Ledger({ accountId }: { accountId: string }) {
  const [kind, setKind] = useState('');
  const filter = { kind: kind || undefined };
  const { q, page, newer, older } = usePaged<LedgerRow>(['ledger', accountId], accountPath(accountId, '/ledger'), filter);
  return (
    <Section
      title="Ledger"
      actions={
        <a
          href={withQuery(accountPath(accountId, '/ledger.csv'), filter)}
          download
          className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
        >
          Download CSV
        </a>
      }
    >
      <Select label="Kind" value={kind} onChange={(e) => setKind(e.target.value)} className="mb-3 max-w-48">
        <option value="">All</option>
        {KINDS.map((k) => (
          <option key={k} value={k}>
            {k}
          </option>
        ))}
      </Select>
      <Query q={q}>
        {(p) =>
          p.data.length === 0 ? (
            <Empty>No ledger rows{kind ? ` of kind ${kind}` : ''} yet. A top-up by an operator is the first.</Empty>
          ) : (
            <Table caption="Ledger, newest first" head={['When', 'Kind', 'Amount', 'Balance after', 'For', 'Note']}>
              {p.data.map((r) => (
                <tr key={r.id}>
                  <Td className="whitespace-nowrap">{dateTime(r.created_at)}</Td>
                  <Td>
                    <Badge tone={r.kind === 'debit' ? 'neutral' : r.kind === 'refund' || r.kind === 'topup' ? 'good' : 'warn'}>{r.kind}</Badge>
                  </Td>
                  <Td className="whitespace-nowrap tabular-nums">{money(r.amount, r.currency)}</Td>
                  <Td className="whitespace-nowrap tabular-nums">{money(r.balance_after, r.currency)}</Td>
                  <Td className="break-all font-mono text-xs">{r.reference ?? '—'}</Td>
                  <Td className="text-xs">{r.note ?? ''}</Td>
                </tr>
              ))}
            </Table>
          )
        }
      </Query>
      <Pager label="Ledger" page={page} newer={newer} older={older} />
    </Section>
  );
}
