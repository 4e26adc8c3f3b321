/** One webhook endpoint: its settings, a test event, secret rotation, and the delivery log with replays. */
import { useParams } from '@tanstack/react-router';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { accountPath, useAccountId, useCan } from '../../lib/account.ts';
import { api, withQuery, type Page } from '../../lib/api.ts';
import { count, dateTime } from '../../lib/format.ts';
import { webhookKeys, type Delivery, type Endpoint, type EndpointWithSecret } from '../../lib/webhooks.ts';
import { Button } from '../../ui/button.tsx';
import { ShownOnce } from '../../ui/copy.tsx';
import { ConfirmButton } from '../../ui/dialog.tsx';
import { Empty, ErrorNote, Loading, Notice, Query } from '../../ui/feedback.tsx';
import { Field, Select } from '../../ui/field.tsx';
import { Badge, PageHeader, Section, statusTone } from '../../ui/layout.tsx';
import { answerOf, AttemptsTable } from './attempts.tsx';
import { EventPicker } from './webhooks.tsx';

/** The endpoint page (/accounts/$accountId/webhooks/$webhookId). */
export function WebhookPage() {
  const accountId = useAccountId();
  const { webhookId = '' } = useParams({ strict: false }) as { webhookId?: string };
  const endpoint = useQuery({
    queryKey: webhookKeys.endpoint(accountId, webhookId),
    queryFn: () => api<Endpoint>('GET', accountPath(accountId, `/webhooks/${webhookId}`)),
  });
  return (
    <>
      <PageHeader title="Webhook endpoint" intro={endpoint.data ? <span className="break-all font-mono">{endpoint.data.url}</span> : undefined} />
      <Query q={endpoint}>
        {(e) => (
          <>
            <Actions accountId={accountId} endpoint={e} />
            <Settings key={e.updated_at} accountId={accountId} endpoint={e} />
            <Deliveries accountId={accountId} endpoint={e} />
          </>
        )}
      </Query>
    </>
  );
}

/** Test event, secret rotation, enable/disable: what an owner does to an endpoint. */
function Actions({ accountId, endpoint: e }: { accountId: string; endpoint: Endpoint }) {
  const canWrite = useCan('webhooks');
  const qc = useQueryClient();
  // The rotated secret lives only here, shown once.
  const [secret, setSecret] = useState<string | null>(null);
  const test = useMutation({
    mutationFn: () => api<Delivery>('POST', accountPath(accountId, `/webhooks/${e.id}/test`)),
    onSettled: () => qc.invalidateQueries({ queryKey: webhookKeys.all(accountId) }),
  });
  const toggle = useMutation({
    mutationFn: () => api<Endpoint>('PATCH', accountPath(accountId, `/webhooks/${e.id}`), { enabled: !e.enabled }),
    onSettled: () => qc.invalidateQueries({ queryKey: webhookKeys.all(accountId) }),
  });
  const last = test.data?.attempts.at(-1);
  return (
    <Section title="Endpoint">
      <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
        <dt className="text-zinc-500">Status</dt>
        <dd>
          <Badge tone={e.enabled ? 'good' : 'bad'}>{e.enabled ? 'enabled' : 'disabled'}</Badge> {e.disabled_reason}
        </dd>
        <dt className="text-zinc-500">Events</dt>
        <dd className="font-mono text-xs">{e.events.join(', ')}</dd>
        <dt className="text-zinc-500">Created</dt>
        <dd>{dateTime(e.created_at)}</dd>
      </dl>
      {canWrite && (
        <div className="mt-4 flex flex-wrap gap-2">
          <Button look="primary" busy={test.isPending} onClick={() => test.mutate()}>
            Send test event
          </Button>
          <ConfirmButton
            label="Rotate secret"
            title="Rotate the signing secret?"
            question="A new secret is made and shown once. The old one keeps signing beside it for 24 hours, so your receiver can switch without losing an event."
            confirm="Rotate now"
            action={async () => {
              const r = await api<EndpointWithSecret>('POST', accountPath(accountId, `/webhooks/${e.id}/rotate-secret`));
              setSecret(r.secret);
              await qc.invalidateQueries({ queryKey: webhookKeys.endpoint(accountId, e.id) });
            }}
          />
          <Button busy={toggle.isPending} onClick={() => toggle.mutate()}>
            {e.enabled ? 'Disable' : 'Enable'}
          </Button>
        </div>
      )}
      <ErrorNote error={test.error ?? toggle.error} />
      {test.data && last && (
        // A status line either way (the request worked; the endpoint's answer is the news), coloured by that answer.
        <p
          role="status"
          className={`my-2 rounded-md border px-3 py-2 text-sm ${
            test.data.status === 'succeeded'
              ? 'border-emerald-300 bg-emerald-50 text-emerald-800 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200'
              : 'border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-200'
          }`}
        >
          Test event {test.data.status === 'succeeded' ? 'delivered' : 'failed'}: {answerOf(last)} in {last.duration_ms} ms
          {last.response_excerpt ? ` — “${last.response_excerpt}”` : ''}
        </p>
      )}
      {secret && (
        <ShownOnce label="New signing secret" value={secret}>
          <p className="mt-2 text-xs">The previous secret keeps working for 24 hours.</p>
          <Button className="mt-2" onClick={() => setSecret(null)}>
            I have copied it
          </Button>
        </ShownOnce>
      )}
    </Section>
  );
}

/** URL, events and description, saved with PATCH. */
function Settings({ accountId, endpoint: e }: { accountId: string; endpoint: Endpoint }) {
  const canWrite = useCan('webhooks');
  const qc = useQueryClient();
  const [url, setUrl] = useState(e.url);
  const [events, setEvents] = useState(e.events);
  const [description, setDescription] = useState(e.description ?? '');
  const save = useMutation({
    mutationFn: () => api<Endpoint>('PATCH', accountPath(accountId, `/webhooks/${e.id}`), { url, events, description: description.trim() || null }),
    onSuccess: () => qc.invalidateQueries({ queryKey: webhookKeys.all(accountId) }),
  });
  if (!canWrite) return null;
  return (
    <Section title="Settings">
      <form
        className="space-y-4"
        onSubmit={(ev) => {
          ev.preventDefault();
          save.mutate();
        }}
      >
        <Field label="URL" type="url" required value={url} onChange={(ev) => setUrl(ev.target.value)} />
        <EventPicker value={events} onChange={setEvents} />
        <Field label="Description" maxLength={256} value={description} onChange={(ev) => setDescription(ev.target.value)} />
        <ErrorNote error={save.error} />
        {save.isSuccess && <Notice>Saved.</Notice>}
        <Button type="submit" look="primary" busy={save.isPending}>
          Save changes
        </Button>
      </form>
    </Section>
  );
}

/** A datetime-local value (the reader's time) for a moment; an hour ago by default. */
function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/** The delivery log: newest first, each delivery with its attempts; replay one, or all failed since a time. */
function Deliveries({ accountId, endpoint: e }: { accountId: string; endpoint: Endpoint }) {
  const canWrite = useCan('webhooks');
  const qc = useQueryClient();
  const [status, setStatus] = useState('');
  const [since, setSince] = useState(() => localInput(Date.now() - 3_600_000));
  const log = useInfiniteQuery({
    queryKey: webhookKeys.deliveries(accountId, e.id, status),
    queryFn: ({ pageParam }) =>
      api<Page<Delivery>>('GET', withQuery(accountPath(accountId, `/webhooks/${e.id}/deliveries`), { status, cursor: pageParam, limit: 20 })),
    initialPageParam: '',
    getNextPageParam: (p) => p.next_cursor ?? undefined,
    // While something is still being sent, look again: retries and replays land on their own.
    refetchInterval: (q) => (q.state.data?.pages.some((p) => p.data.some((d) => d.status === 'pending')) ? 2000 : false),
  });
  const invalidate = () => qc.invalidateQueries({ queryKey: webhookKeys.all(accountId) });
  const replay = useMutation({
    mutationFn: (id: string) => api<Delivery>('POST', accountPath(accountId, `/webhooks/${e.id}/deliveries/${id}/retry`)),
    onSettled: invalidate,
  });
  const replayFailed = useMutation({
    mutationFn: () => api<{ replayed: number }>('POST', accountPath(accountId, `/webhooks/${e.id}/deliveries/retry-failed`), { since: new Date(since).toISOString() }),
    onSettled: invalidate,
  });
  // A replay's Notice is about the log as it was; a new filter starts afresh.
  useEffect(() => replayFailed.reset(), [status]); // eslint-disable-line react-hooks/exhaustive-deps

  const deliveries = log.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <Section
      title="Deliveries"
      actions={
        <Select label="Status" value={status} onChange={(ev) => setStatus(ev.target.value)} className="w-40">
          <option value="">All</option>
          <option value="pending">pending</option>
          <option value="succeeded">succeeded</option>
          <option value="failed">failed</option>
        </Select>
      }
    >
      {canWrite && (
        <form
          className="mb-4 flex flex-wrap items-end gap-2"
          onSubmit={(ev) => {
            ev.preventDefault();
            replayFailed.mutate();
          }}
        >
          <Field label="Failed since" type="datetime-local" required value={since} onChange={(ev) => setSince(ev.target.value)} hint="Your local time." />
          <Button type="submit" busy={replayFailed.isPending} className="mb-5">
            Replay failed since
          </Button>
        </form>
      )}
      <ErrorNote error={replayFailed.error ?? replay.error} />
      {replayFailed.data && (
        <Notice>
          {replayFailed.data.replayed === 0
            ? 'No failed delivery since then: nothing to replay.'
            : `Replaying ${count(replayFailed.data.replayed)} failed ${replayFailed.data.replayed === 1 ? 'delivery' : 'deliveries'}; their new attempts appear below.`}
        </Notice>
      )}
      {log.error ? (
        <ErrorNote error={log.error} />
      ) : log.isPending ? (
        <Loading />
      ) : deliveries.length === 0 ? (
        <Empty>No delivery {status ? `with status ${status} ` : ''}yet. Send a test event to see one.</Empty>
      ) : (
        <ol aria-label="Delivery log" className="space-y-3">
          {deliveries.map((d) => (
            <li key={d.id} aria-label={`${d.event_type} delivery ${d.id}`} className="rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
              <div className="flex flex-wrap items-center justify-between gap-2">
                <div className="flex flex-wrap items-center gap-2 text-sm">
                  <span className="font-mono font-medium">{d.event_type}</span>
                  <Badge tone={statusTone(d.status)}>{d.status}</Badge>
                  <span className="text-zinc-500">
                    {d.attempt_count} {d.attempt_count === 1 ? 'attempt' : 'attempts'} · {dateTime(d.created_at)}
                  </span>
                  {d.status === 'pending' && d.next_attempt_at && <span className="text-xs text-zinc-500">next attempt {dateTime(d.next_attempt_at)}</span>}
                </div>
                {canWrite && d.status !== 'pending' && (
                  <Button aria-label={`Replay delivery ${d.id}`} busy={replay.isPending && replay.variables === d.id} onClick={() => replay.mutate(d.id)}>
                    Replay
                  </Button>
                )}
              </div>
              <p className="mt-1 font-mono text-xs text-zinc-500">
                {d.id} · event {d.event_id}
              </p>
              <div className="mt-2">
                <AttemptsTable caption={`Attempts of delivery ${d.id}`} attempts={d.attempts} />
              </div>
            </li>
          ))}
        </ol>
      )}
      {log.hasNextPage && (
        <Button className="mt-3" busy={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()}>
          Show older deliveries
        </Button>
      )}
    </Section>
  );
}
