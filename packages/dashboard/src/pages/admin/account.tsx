/** Admin → one account: its status (activate / suspend), its wallet (top up, adjust), its people and keys. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from '@tanstack/react-router';
import { useState } from 'react';
import { accountPath } from '../../lib/account.ts';
import { api } from '../../lib/api.ts';
import type { AdminAccountDetail } from '../../lib/admin.ts';
import { dateTime, money } from '../../lib/format.ts';
import { Button } from '../../ui/button.tsx';
import { ConfirmButton } from '../../ui/dialog.tsx';
import { Empty, ErrorNote, Notice, Query } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { Badge, PageHeader, Section, statusTone, Table, Td } from '../../ui/layout.tsx';

interface Member {
  user_id: string;
  email: string;
  name: string | null;
  role: string;
  joined_at: string;
}

/** One account in the admin console. */
export function AdminAccountPage() {
  const { accountId } = useParams({ strict: false }) as { accountId: string };
  const account = useQuery({
    queryKey: ['admin', 'account', accountId],
    queryFn: () => api<AdminAccountDetail>('GET', `/admin/accounts/${encodeURIComponent(accountId)}`),
  });
  return (
    <Query q={account}>
      {(a) => (
        <>
          <PageHeader
            title={a.name}
            intro={
              <>
                <span className="font-mono">{a.id}</span> · created {dateTime(a.created_at)}
              </>
            }
            actions={
              <Link to="/accounts/$accountId" params={{ accountId: a.id }} className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800">
                Open its dashboard
              </Link>
            }
          />
          <StatusSection account={a} />
          <WalletSection account={a} />
          <PeopleSection account={a} />
        </>
      )}
    </Query>
  );
}

function useRefreshAccount(id: string) {
  const qc = useQueryClient();
  return () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: ['admin', 'account', id] }),
      qc.invalidateQueries({ queryKey: ['admin', 'accounts'] }),
      // The account's own pages (balance, ledger) read it too.
      qc.invalidateQueries({ queryKey: ['account', id] }),
      qc.invalidateQueries({ queryKey: ['me'] }),
    ]);
}

function StatusSection({ account: a }: { account: AdminAccountDetail }) {
  const refresh = useRefreshAccount(a.id);
  return (
    <Section title="Status">
      <p className="mb-3 text-sm">
        This account is <Badge tone={statusTone(a.status)}>{a.status}</Badge>.{' '}
        {a.status === 'active' ? 'Its API keys work.' : 'Its API keys are refused (403 account_not_active) until it is activated.'}
      </p>
      <div className="flex flex-wrap gap-2">
        {a.status !== 'active' && (
          <ConfirmButton
            label="Activate"
            title={`Activate ${a.name}?`}
            question="Its API keys work from the next request on, and its members can send."
            confirm="Activate account"
            action={async () => {
              await api('POST', `/admin/accounts/${encodeURIComponent(a.id)}/activate`);
              await refresh();
            }}
          />
        )}
        {a.status !== 'suspended' && (
          <ConfirmButton
            label="Suspend"
            look="danger"
            title={`Suspend ${a.name}?`}
            question="Its API keys are refused from the next request on (403 account_not_active); nothing is sent for it until it is activated again."
            confirm="Suspend account"
            action={async () => {
              await api('POST', `/admin/accounts/${encodeURIComponent(a.id)}/suspend`);
              await refresh();
            }}
          />
        )}
      </div>
    </Section>
  );
}

function WalletSection({ account: a }: { account: AdminAccountDetail }) {
  return (
    <Section title="Wallet">
      <dl className="mb-4 grid grid-cols-1 gap-3 text-sm sm:grid-cols-3">
        <div>
          <dt className="text-zinc-500">Balance</dt>
          <dd className="text-lg font-semibold tabular-nums" aria-label="Balance">
            {money(a.balance, a.currency)}
          </dd>
        </div>
        <div>
          <dt className="text-zinc-500">Spent today (cap)</dt>
          <dd className="tabular-nums">
            {money(a.spend_caps.daily.used, a.currency)} ({a.spend_caps.daily.limit === null ? 'no cap' : money(a.spend_caps.daily.limit, a.currency)})
          </dd>
        </div>
        <div>
          <dt className="text-zinc-500">Spent this month (cap)</dt>
          <dd className="tabular-nums">
            {money(a.spend_caps.monthly.used, a.currency)} ({a.spend_caps.monthly.limit === null ? 'no cap' : money(a.spend_caps.monthly.limit, a.currency)})
          </dd>
        </div>
      </dl>
      <div className="grid gap-4 md:grid-cols-2">
        <MoneyForm account={a} kind="topup" />
        <MoneyForm account={a} kind="adjust" />
      </div>
    </Section>
  );
}

/** Top up (a credit, reason optional) or adjust (a signed correction, reason required). */
function MoneyForm({ account: a, kind }: { account: AdminAccountDetail; kind: 'topup' | 'adjust' }) {
  const refresh = useRefreshAccount(a.id);
  const [amount, setAmount] = useState('');
  const [note, setNote] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const title = kind === 'topup' ? 'Top up' : 'Adjust';
  const run = useMutation({
    mutationFn: () =>
      api<{ balance: string; currency: string }>('POST', `/admin/accounts/${encodeURIComponent(a.id)}/wallet/${kind}`, {
        amount: amount.trim(),
        ...(note.trim() || kind === 'adjust' ? { note: note.trim() } : {}),
      }),
    onSuccess: async (w) => {
      setDone(`${title}: done. The balance is now ${money(w.balance, w.currency)}.`);
      setAmount('');
      setNote('');
      await refresh();
    },
    onMutate: () => setDone(null),
  });
  return (
    <form
      aria-label={title}
      // The API's own refusal (amount, reason) is the message people see, the same as a script gets.
      noValidate
      className="space-y-3 rounded-md border border-zinc-200 p-3 dark:border-zinc-800"
      onSubmit={(e) => {
        e.preventDefault();
        run.mutate();
      }}
    >
      <h3 className="font-medium">{title}</h3>
      <Field
        label="Amount"
        inputMode="decimal"
        required
        placeholder={kind === 'topup' ? '10.00' : '-2.50'}
        hint={kind === 'topup' ? `In ${a.currency}, more than zero.` : `In ${a.currency}; negative takes money off (never below zero).`}
        value={amount}
        onChange={(e) => setAmount(e.target.value)}
      />
      <Field
        label="Reason"
        required={kind === 'adjust'}
        hint={kind === 'topup' ? 'Optional; kept in the ledger and the audit log.' : 'Required; kept in the ledger and the audit log.'}
        maxLength={200}
        value={note}
        onChange={(e) => setNote(e.target.value)}
      />
      <ErrorNote error={run.error} />
      {done && <Notice>{done}</Notice>}
      <Button type="submit" look="primary" busy={run.isPending}>
        {title}
      </Button>
    </form>
  );
}

function PeopleSection({ account: a }: { account: AdminAccountDetail }) {
  const members = useQuery({
    queryKey: ['account', a.id, 'members'],
    queryFn: () => api<{ data: Member[] }>('GET', accountPath(a.id, '/members')),
  });
  return (
    <Section title="Members and keys">
      <p className="mb-3 text-sm">
        {a.member_count} {a.member_count === 1 ? 'member' : 'members'} · {a.key_count} live API {a.key_count === 1 ? 'key' : 'keys'}
        {a.ip_allowlist.length > 0 && <> · IP allowlist: {a.ip_allowlist.join(', ')}</>}
        {a.rate_limit_per_minute !== null && <> · {a.rate_limit_per_minute} requests a minute</>}
      </p>
      <Query q={members}>
        {(m) =>
          m.data.length === 0 ? (
            <Empty>No member yet. Invite someone from the account&apos;s Members page, or create a user in Users.</Empty>
          ) : (
            <Table caption={`Members of ${a.name}`} head={['Email', 'Name', 'Role', 'Joined']}>
              {m.data.map((u) => (
                <tr key={u.user_id}>
                  <Td>{u.email}</Td>
                  <Td>{u.name ?? '—'}</Td>
                  <Td>{u.role}</Td>
                  <Td className="whitespace-nowrap">{dateTime(u.joined_at)}</Td>
                </tr>
              ))}
            </Table>
          )
        }
      </Query>
    </Section>
  );
}
