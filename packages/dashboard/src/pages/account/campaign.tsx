/** A campaign: what was sent, how many of its messages are in each status, and the messages. */
import { Link, useParams } from '@tanstack/react-router';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { accountPath, useAccountId } from '../../lib/account.ts';
import { api, withQuery, type Page } from '../../lib/api.ts';
import { count, dateTime, money } from '../../lib/format.ts';
import { FINAL_STATUSES, MESSAGE_STATUSES, recipients, type CampaignDetail, type Message } from '../../lib/messages.ts';
import { Button } from '../../ui/button.tsx';
import { Empty, Query } from '../../ui/feedback.tsx';
import { Badge, PageHeader, Section, statusTone, Table, Td } from '../../ui/layout.tsx';

/** The campaign page (/accounts/$accountId/campaigns/$campaignId). */
export function CampaignPage() {
  const accountId = useAccountId();
  const { campaignId = '' } = useParams({ strict: false }) as { campaignId?: string };
  const [cursor, setCursor] = useState<string | null>(null);
  const campaign = useQuery({
    queryKey: ['messages', accountId, 'campaign', campaignId],
    queryFn: () => api<CampaignDetail>('GET', accountPath(accountId, `/campaigns/${campaignId}`)),
    // Counts move while messages are under way.
    refetchInterval: (q) => {
      const c = q.state.data?.status_counts;
      const open = c ? Object.entries(c).some(([s, n]) => n > 0 && !FINAL_STATUSES.has(s)) : false;
      return open ? 3000 : false;
    },
  });
  const messages = useQuery({
    queryKey: ['messages', accountId, 'campaign-messages', campaignId, cursor, campaign.data?.status_counts],
    queryFn: () => api<Page<Message>>('GET', withQuery(accountPath(accountId, '/messages'), { campaign_id: campaignId, cursor, limit: 25 })),
  });
  return (
    <>
      <PageHeader title="Campaign" intro={<span className="font-mono">{campaignId}</span>} />
      <Query q={campaign}>
        {(c) => (
          <Section title="Summary">
            <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
              <dt className="text-zinc-500">Channel</dt>
              <dd>{c.channel}</dd>
              <dt className="text-zinc-500">From</dt>
              <dd className="font-mono">{c.from}</dd>
              <dt className="text-zinc-500">Text</dt>
              <dd className="whitespace-pre-wrap">{c.message}</dd>
              <dt className="text-zinc-500">Messages</dt>
              <dd>{count(c.total_messages)}</dd>
              <dt className="text-zinc-500">Cost</dt>
              <dd>{money(c.cost, c.currency)}</dd>
              {c.reference && (
                <>
                  <dt className="text-zinc-500">Reference</dt>
                  <dd>{c.reference}</dd>
                </>
              )}
              <dt className="text-zinc-500">Created</dt>
              <dd>{dateTime(c.created_at)}</dd>
            </dl>
            <div className="mt-4">
              <Table caption="Messages by status" head={['Status', 'Messages']}>
                {MESSAGE_STATUSES.filter((s) => (c.status_counts[s] ?? 0) > 0).map((s) => (
                  <tr key={s}>
                    <Td>
                      <Badge tone={statusTone(s)}>{s}</Badge>
                    </Td>
                    <Td>{count(c.status_counts[s] ?? 0)}</Td>
                  </tr>
                ))}
              </Table>
            </div>
          </Section>
        )}
      </Query>
      <Section title="Messages of the campaign">
        <Query q={messages}>
          {(page) => (
            <>
              {page.data.length === 0 ? (
                <Empty>No message in this campaign.</Empty>
              ) : (
                <Table caption="Messages of the campaign" head={['To', 'Status', 'Price', 'Updated']}>
                  {page.data.map((m) => (
                    <tr key={m.id}>
                      <Td>
                        <Link
                          to="/accounts/$accountId/messages/$messageId"
                          params={{ accountId, messageId: m.id }}
                          className="font-mono text-indigo-700 underline dark:text-indigo-300"
                        >
                          {recipients(m.to)}
                        </Link>
                      </Td>
                      <Td>
                        <Badge tone={statusTone(m.status)}>{m.status}</Badge>
                        {m.error && <p className="text-xs text-zinc-500">{m.error}</p>}
                      </Td>
                      <Td className="whitespace-nowrap">{money(m.price, m.currency)}</Td>
                      <Td className="whitespace-nowrap">{dateTime(m.updated_at)}</Td>
                    </tr>
                  ))}
                </Table>
              )}
              <nav aria-label="Pages of the campaign's messages" className="mt-3 flex gap-2">
                {cursor && <Button onClick={() => setCursor(null)}>First page</Button>}
                {page.next_cursor && <Button onClick={() => setCursor(page.next_cursor)}>Next page</Button>}
              </nav>
            </>
          )}
        </Query>
      </Section>
    </>
  );
}
