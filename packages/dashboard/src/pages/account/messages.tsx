/** Messages: the account's messages with filters kept in the URL, paged; and its campaigns. */
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { accountPath, useAccountId } from '../../lib/account.ts';
import { api, withQuery, type Page } from '../../lib/api.ts';
import { count, dateTime, money } from '../../lib/format.ts';
import { MESSAGE_STATUSES, recipients, type Campaign, type Message } from '../../lib/messages.ts';
import { Button } from '../../ui/button.tsx';
import { Empty, Query } from '../../ui/feedback.tsx';
import { Field, Select } from '../../ui/field.tsx';
import { Badge, PageHeader, Section, statusTone, Table, Td } from '../../ui/layout.tsx';

/** The filters the page keeps in its URL (so a reload or a shared link shows the same list). */
interface Filters {
  channel?: string;
  direction?: string;
  status?: string;
  recipient?: string;
  /** Dates (YYYY-MM-DD) in the reader's time zone; `until` is included. */
  from?: string;
  until?: string;
  /** The `next_cursor` that led to this page. */
  cursor?: string;
}
const FILTER_KEYS = ['channel', 'direction', 'status', 'recipient', 'from', 'until'] as const;

/** A YYYY-MM-DD day's start in the reader's time zone, as RFC 3339 (what the API's filters take). */
function dayStart(day: string, plusDays = 0): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const d = new Date(`${day}T00:00:00`);
  d.setDate(d.getDate() + plusDays);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** The Messages page. */
export function MessagesPage() {
  const accountId = useAccountId();
  const search = useSearch({ strict: false }) as Filters;
  const navigate = useNavigate();
  const filters: Filters = Object.fromEntries(FILTER_KEYS.map((k) => [k, search[k] || undefined]));
  const go = (next: Filters) => void navigate({ to: '/accounts/$accountId/messages', params: { accountId }, search: next as never });

  const messages = useQuery({
    queryKey: ['messages', accountId, 'list', filters, search.cursor ?? ''],
    queryFn: () =>
      api<Page<Message>>(
        'GET',
        withQuery(accountPath(accountId, '/messages'), {
          channel: filters.channel,
          direction: filters.direction,
          status: filters.status,
          recipient: filters.recipient,
          from: filters.from ? dayStart(filters.from) : undefined,
          until: filters.until ? dayStart(filters.until, 1) : undefined,
          cursor: search.cursor,
          limit: 25,
        }),
      ),
    // A list that holds unfinished messages is looked at again: statuses move on their own.
    refetchInterval: (q) => (q.state.data?.data.some((m) => ['queued', 'sending', 'sent', 'scheduled'].includes(m.status)) ? 5000 : false),
  });
  const filtered = FILTER_KEYS.some((k) => filters[k]);

  return (
    <>
      <PageHeader title="Messages" intro="Every SMS and email the account sent, and the replies its numbers received, newest first. Open one to see its timeline: each step, the provider's answers and the webhooks it caused." />
      <Section title="Filters">
        <FilterForm key={JSON.stringify(filters)} initial={filters} onApply={(f) => go(f)} onClear={() => go({})} />
      </Section>
      <Section title="Message list">
        <Query q={messages}>
          {(page) => (
            <>
              {page.data.length === 0 ? (
                <Empty>{filtered ? 'No message matches these filters.' : 'No message yet. Messages sent with an API key show up here.'}</Empty>
              ) : (
                <Table caption="Messages" head={['To', 'From', 'Direction', 'Channel', 'Status', 'Price', 'Created', 'Campaign']}>
                  {page.data.map((m) => (
                    <tr key={m.id}>
                      <Td>
                        <Link
                          to="/accounts/$accountId/messages/$messageId"
                          params={{ accountId, messageId: m.id }}
                          className="break-all font-mono text-indigo-700 underline dark:text-indigo-300"
                        >
                          {recipients(m.to)}
                        </Link>
                        <p className="max-w-xs truncate text-xs text-zinc-500">{m.subject ?? m.body}</p>
                      </Td>
                      <Td className="break-all font-mono">{m.from}</Td>
                      <Td>{m.direction}</Td>
                      <Td>{m.channel}</Td>
                      <Td>
                        <Badge tone={statusTone(m.status)}>{m.status}</Badge>
                        {m.sandbox && (
                          <span className="ml-1">
                            <Badge>sandbox</Badge>
                          </span>
                        )}
                      </Td>
                      <Td className="whitespace-nowrap">{money(m.price, m.currency)}</Td>
                      <Td className="whitespace-nowrap">{dateTime(m.created_at)}</Td>
                      <Td>
                        {m.campaign_id && (
                          <Link
                            to="/accounts/$accountId/campaigns/$campaignId"
                            params={{ accountId, campaignId: m.campaign_id }}
                            className="font-mono text-xs text-indigo-700 underline dark:text-indigo-300"
                          >
                            {m.campaign_id}
                          </Link>
                        )}
                      </Td>
                    </tr>
                  ))}
                </Table>
              )}
              <nav aria-label="Pages of messages" className="mt-3 flex gap-2">
                {search.cursor && <Button onClick={() => go(filters)}>First page</Button>}
                {page.next_cursor && <Button onClick={() => go({ ...filters, cursor: page.next_cursor! })}>Next page</Button>}
              </nav>
            </>
          )}
        </Query>
      </Section>
      <Campaigns accountId={accountId} />
    </>
  );
}

/** Channel, status, recipient and dates; applied to the URL on submit. */
function FilterForm({ initial, onApply, onClear }: { initial: Filters; onApply: (f: Filters) => void; onClear: () => void }) {
  const [f, setF] = useState<Filters>(initial);
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value || undefined });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onApply(Object.fromEntries(FILTER_KEYS.map((k) => [k, f[k]?.trim() || undefined])));
  };
  return (
    <form onSubmit={submit} className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-6">
      <Select label="Channel" value={f.channel ?? ''} onChange={set('channel')}>
        <option value="">Any</option>
        <option value="sms">sms</option>
        <option value="email">email</option>
      </Select>
      <Select label="Direction" value={f.direction ?? ''} onChange={set('direction')}>
        <option value="">Any</option>
        <option value="outbound">outbound</option>
        <option value="inbound">inbound</option>
      </Select>
      <Select label="Status" value={f.status ?? ''} onChange={set('status')}>
        <option value="">Any</option>
        {MESSAGE_STATUSES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </Select>
      <Field label="Recipient" placeholder="+14155550123 or ann@example.com" value={f.recipient ?? ''} onChange={set('recipient')} />
      <Field label="From date" type="date" value={f.from ?? ''} onChange={set('from')} />
      <Field label="Until date" type="date" value={f.until ?? ''} onChange={set('until')} hint="Included." />
      <div className="flex gap-2 sm:col-span-2 lg:col-span-6">
        <Button type="submit" look="primary">
          Apply filters
        </Button>
        <Button onClick={onClear}>Clear filters</Button>
      </div>
    </form>
  );
}

/** The account's campaigns (sends to many), newest first, paged. */
function Campaigns({ accountId }: { accountId: string }) {
  const [cursor, setCursor] = useState<string | null>(null);
  const campaigns = useQuery({
    queryKey: ['messages', accountId, 'campaigns', cursor],
    queryFn: () => api<Page<Campaign>>('GET', withQuery(accountPath(accountId, '/campaigns'), { cursor, limit: 10 })),
  });
  return (
    <Section title="Campaigns">
      <Query q={campaigns}>
        {(page) => (
          <>
            {page.data.length === 0 ? (
              <Empty>No campaign yet. A send to more than one recipient makes one.</Empty>
            ) : (
              <Table caption="Campaigns" head={['Campaign', 'From', 'Messages', 'Cost', 'Created']}>
                {page.data.map((c) => (
                  <tr key={c.id}>
                    <Td>
                      <Link
                        to="/accounts/$accountId/campaigns/$campaignId"
                        params={{ accountId, campaignId: c.id }}
                        className="font-mono text-indigo-700 underline dark:text-indigo-300"
                      >
                        {c.id}
                      </Link>
                      <p className="max-w-xs truncate text-xs text-zinc-500">{c.message}</p>
                    </Td>
                    <Td className="font-mono">{c.from}</Td>
                    <Td>{count(c.total_messages)}</Td>
                    <Td className="whitespace-nowrap">{money(c.cost, c.currency)}</Td>
                    <Td className="whitespace-nowrap">{dateTime(c.created_at)}</Td>
                  </tr>
                ))}
              </Table>
            )}
            <nav aria-label="Pages of campaigns" className="mt-3 flex gap-2">
              {cursor && <Button onClick={() => setCursor(null)}>First page of campaigns</Button>}
              {page.next_cursor && <Button onClick={() => setCursor(page.next_cursor)}>Next page of campaigns</Button>}
            </nav>
          </>
        )}
      </Query>
    </Section>
  );
}
