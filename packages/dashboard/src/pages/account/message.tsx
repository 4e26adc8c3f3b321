/** One message: its fields and cost, and its timeline — each step with the provider's word, and every webhook attempt about it. */
import { Link, useParams } from '@tanstack/react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { accountPath, useAccountId, useCan } from '../../lib/account.ts';
import { api, type Page } from '../../lib/api.ts';
import { dateTime, money } from '../../lib/format.ts';
import { FINAL_STATUSES, recipients, type MessageDetail } from '../../lib/messages.ts';
import type { Attempt, Delivery } from '../../lib/webhooks.ts';
import { ConfirmButton } from '../../ui/dialog.tsx';
import { ErrorNote, Query } from '../../ui/feedback.tsx';
import { Badge, PageHeader, Section, statusTone } from '../../ui/layout.tsx';
import { answerOf, attemptTone } from './attempts.tsx';

/** What each status means, read beside the provider's own words. */
const STEP: Record<string, string> = {
  scheduled: 'Accepted, to be sent at its scheduled time',
  queued: 'Accepted and queued for sending',
  sending: 'Handed to a delivery worker',
  sent: 'Taken by the network',
  delivered: 'Delivered',
  failed: 'Failed (refunded)',
  undelivered: 'Not delivered by the network',
  bounced: 'Refused by the receiving server (refunded)',
  canceled: 'Canceled (refunded)',
  retrying: 'Attempt failed; it will be tried again',
};

/** Steps whose detail is what the provider answered (the others' is our own word, or an error). */
const ANSWERED = new Set(['sent', 'delivered', 'retrying']);

/** One line of the timeline: a status step, or a webhook attempt, in time order. */
type Step =
  | { kind: 'status'; at: string; key: string; status: string; detail: string | null; attempt: number | null; next: string | null }
  | { kind: 'webhook'; at: string; key: string; delivery: Delivery; attempt: Attempt | null };

/** The message page (/accounts/$accountId/messages/$messageId). */
/** How long after a message became final its page still looks for new webhook deliveries. */
const WEBHOOK_SETTLE_MS = 60_000;

export function MessagePage() {
  const accountId = useAccountId();
  const { messageId = '' } = useParams({ strict: false }) as { messageId?: string };
  const qc = useQueryClient();
  const canWrite = useCan('messages');
  const message = useQuery({
    queryKey: ['messages', accountId, 'one', messageId],
    queryFn: () => api<MessageDetail>('GET', accountPath(accountId, `/messages/${messageId}`)),
    // Until it is final, the timeline grows on its own (sent, the receipt…): look again.
    refetchInterval: (q) => (q.state.data && FINAL_STATUSES.has(q.state.data.status) ? false : 1500),
  });
  const webhooks = useQuery({
    queryKey: ['webhooks', accountId, 'message', messageId],
    queryFn: () => api<Page<Delivery>>('GET', accountPath(accountId, `/messages/${messageId}/webhook-deliveries?limit=100`)),
    // Webhooks of a final message may still be on their way or being retried — or not yet made:
    // the final status's event is fanned out to deliveries just after, so keep looking a minute.
    refetchInterval: (q) =>
      !message.data ||
      !FINAL_STATUSES.has(message.data.status) ||
      Date.now() - Date.parse(message.data.updated_at) < WEBHOOK_SETTLE_MS ||
      q.state.data?.data.some((d) => d.status === 'pending')
        ? 1500
        : false,
  });
  const cancel = useMutation({
    mutationFn: () => api<MessageDetail>('POST', accountPath(accountId, `/messages/${messageId}/cancel`)),
    onSettled: () => qc.invalidateQueries({ queryKey: ['messages', accountId] }),
  });

  return (
    <>
      <PageHeader title="Message" intro={<span className="font-mono">{messageId}</span>} />
      <Query q={message}>
        {(m) => (
          <>
            <Section
              title="Details"
              actions={
                canWrite &&
                m.status === 'scheduled' && (
                  <ConfirmButton
                    label="Cancel message"
                    title="Cancel this scheduled message?"
                    question="It will not be sent, and its price goes back to the wallet."
                    confirm="Cancel it"
                    look="danger"
                    action={() => cancel.mutateAsync()}
                  />
                )
              }
            >
              <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
                <Item label="Status">
                  <Badge tone={statusTone(m.status)}>{m.status}</Badge> {m.sandbox && <Badge>sandbox</Badge>}
                </Item>
                <Item label="Channel">{m.channel}</Item>
                <Item label="From">
                  <span className="font-mono">{m.from}</span>
                </Item>
                <Item label="To">
                  <span className="break-all font-mono">{recipients(m.to)}</span>
                </Item>
                {m.subject !== null && <Item label="Subject">{m.subject}</Item>}
                {m.body !== null && (
                  <Item label="Text">
                    <span className="whitespace-pre-wrap">{m.body}</span>
                  </Item>
                )}
                {m.segments !== null && (
                  <Item label="Segments">
                    {m.segments} ({m.encoding})
                  </Item>
                )}
                <Item label="Price">{money(m.price, m.currency)}</Item>
                {m.campaign_id && (
                  <Item label="Campaign">
                    <Link
                      to="/accounts/$accountId/campaigns/$campaignId"
                      params={{ accountId, campaignId: m.campaign_id }}
                      className="font-mono text-indigo-700 underline dark:text-indigo-300"
                    >
                      {m.campaign_id}
                    </Link>
                  </Item>
                )}
                {m.reference && <Item label="Reference">{m.reference}</Item>}
                {m.error && <Item label="Error">{m.error}</Item>}
                {m.scheduled_at && <Item label="Scheduled for">{dateTime(m.scheduled_at)}</Item>}
                <Item label="Created">{dateTime(m.created_at)}</Item>
              </dl>
              <ErrorNote error={cancel.error} />
            </Section>
            <Section title="Timeline">
              <Timeline message={m} deliveries={webhooks.data?.data ?? []} />
              <ErrorNote error={webhooks.error} />
            </Section>
          </>
        )}
      </Query>
    </>
  );
}

function Item({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-zinc-500">{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

/** Status steps and webhook attempts merged in time order, oldest first. */
function Timeline({ message: m, deliveries }: { message: MessageDetail; deliveries: Delivery[] }) {
  const accountId = useAccountId();
  const steps: Step[] = m.events.map((e) => ({
    kind: 'status',
    at: e.created_at,
    key: e.id,
    status: e.status,
    detail: e.detail,
    attempt: e.attempt,
    next: e.next_attempt_at,
  }));
  for (const d of deliveries) {
    if (d.attempts.length === 0) steps.push({ kind: 'webhook', at: d.created_at, key: d.id, delivery: d, attempt: null });
    for (const a of d.attempts) steps.push({ kind: 'webhook', at: a.created_at, key: a.id, delivery: d, attempt: a });
  }
  // Ids order the same-millisecond steps as they were made (they are time-ordered too).
  steps.sort((x, y) => x.at.localeCompare(y.at) || x.key.localeCompare(y.key));
  return (
    <ol aria-label="Timeline" className="relative space-y-3 border-l border-zinc-200 pl-4 dark:border-zinc-700">
      {steps.map((s) =>
        s.kind === 'status' ? (
          <li key={s.key} aria-label={s.status === 'retrying' && s.attempt !== null ? `Attempt ${s.attempt} failed` : `Step ${s.status}`}>
            <span aria-hidden className={`absolute -left-1.5 mt-1.5 size-3 rounded-full ${dot(statusTone(s.status))}`} />
            <p className="text-sm">
              <Badge tone={statusTone(s.status)}>{s.status}</Badge>{' '}
              <span className="font-medium">
                {s.status === 'retrying' && s.attempt !== null ? `Attempt ${s.attempt} failed; it will be tried again` : (STEP[s.status] ?? s.status)}
              </span>
              <span className="ml-2 text-xs text-zinc-500">{dateTime(s.at)}</span>
            </p>
            {s.detail && (
              <p className="mt-1 text-xs">
                <span className="text-zinc-500">{ANSWERED.has(s.status) ? "Provider's answer: " : 'Detail: '}</span>
                <code className="break-all font-mono">{s.detail}</code>
              </p>
            )}
            {s.next && (
              <p className="mt-1 text-xs">
                <span className="text-zinc-500">Next try: </span>
                <time dateTime={s.next}>{dateTime(s.next)}</time>
              </p>
            )}
          </li>
        ) : (
          <li key={s.key} aria-label={`Webhook ${s.delivery.event_type}${s.attempt ? ` attempt ${s.attempt.attempt}` : ' pending'}`}>
            <span aria-hidden className={`absolute -left-1.5 mt-1.5 size-3 rounded-full ${dot(s.attempt ? attemptTone(s.attempt) : 'warn')}`} />
            <p className="text-sm">
              <span className="font-medium">Webhook</span> <span className="font-mono">{s.delivery.event_type}</span> →{' '}
              <Link
                to="/accounts/$accountId/webhooks/$webhookId"
                params={{ accountId, webhookId: s.delivery.endpoint_id }}
                className="break-all font-mono text-xs text-indigo-700 underline dark:text-indigo-300"
              >
                {s.delivery.endpoint_url ?? s.delivery.endpoint_id}
              </Link>
              <span className="ml-2 text-xs text-zinc-500">{dateTime(s.at)}</span>
            </p>
            <p className="mt-1 text-xs">
              {s.attempt ? (
                <>
                  Attempt {s.attempt.attempt}: <Badge tone={attemptTone(s.attempt)}>{answerOf(s.attempt)}</Badge> in {s.attempt.duration_ms} ms
                  {s.attempt.response_excerpt ? (
                    <>
                      {' '}
                      — <code className="break-all font-mono">{s.attempt.response_excerpt}</code>
                    </>
                  ) : null}
                </>
              ) : (
                'Queued: the first attempt is on its way.'
              )}
            </p>
          </li>
        ),
      )}
    </ol>
  );
}

function dot(tone: 'neutral' | 'good' | 'bad' | 'warn'): string {
  return { neutral: 'bg-zinc-400', good: 'bg-emerald-500', bad: 'bg-red-500', warn: 'bg-amber-500' }[tone];
}
