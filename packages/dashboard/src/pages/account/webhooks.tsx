/** Webhooks: the account's endpoints, adding one (its secret shown once), disabling and deleting. */
import { Link } from '@tanstack/react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { accountPath, useAccountId, useCan } from '../../lib/account.ts';
import { api, type Page } from '../../lib/api.ts';
import { dateTime } from '../../lib/format.ts';
import { EVENT_TYPES, webhookKeys, type Endpoint, type EndpointWithSecret } from '../../lib/webhooks.ts';
import { Button } from '../../ui/button.tsx';
import { ShownOnce } from '../../ui/copy.tsx';
import { ConfirmButton, Dialog } from '../../ui/dialog.tsx';
import { Empty, ErrorNote, Query } from '../../ui/feedback.tsx';
import { Checkbox, Field } from '../../ui/field.tsx';
import { Badge, PageHeader, Section, Table, Td } from '../../ui/layout.tsx';

/** The Webhooks page: endpoints with their events and state; "Add endpoint" opens the form. */
export function WebhooksPage() {
  const accountId = useAccountId();
  const canWrite = useCan('webhooks');
  const qc = useQueryClient();
  // The secret lives only in this state: gone on reload or when dismissed, never fetched again.
  const [created, setCreated] = useState<EndpointWithSecret | null>(null);
  const endpoints = useQuery({
    queryKey: [...webhookKeys.all(accountId), 'list'],
    // At most 20 endpoints per account: one page of 100 holds them all.
    queryFn: () => api<Page<Endpoint>>('GET', accountPath(accountId, '/webhooks?limit=100')),
  });
  const change = useMutation({
    mutationFn: ({ id, enabled }: { id: string; enabled: boolean }) => api<Endpoint>('PATCH', accountPath(accountId, `/webhooks/${id}`), { enabled }),
    onSettled: () => qc.invalidateQueries({ queryKey: webhookKeys.all(accountId) }),
  });

  return (
    <>
      <PageHeader
        title="Webhooks"
        intro="Hellio POSTs a signed event to these URLs when a message, campaign or wallet changes. Each request carries webhook-id, webhook-timestamp and webhook-signature headers (Standard Webhooks)."
        actions={canWrite && <AddEndpoint accountId={accountId} onCreated={setCreated} />}
      />
      {created && (
        <ShownOnce label="Signing secret" value={created.secret}>
          <p className="mt-2 text-xs">
            For <span className="font-mono">{created.url}</span>. Verify each webhook with it; Hellio will not show it again (rotate it on the endpoint's page if it is lost).
          </p>
          <Button className="mt-2" onClick={() => setCreated(null)}>
            I have copied it
          </Button>
        </ShownOnce>
      )}
      <ErrorNote error={change.error} />
      <Section title="Endpoints">
        <Query q={endpoints}>
          {(page) =>
            page.data.length === 0 ? (
              <Empty>No endpoint yet. {canWrite ? 'Add one to hear about deliveries as they happen.' : ''}</Empty>
            ) : (
              <Table caption="Webhook endpoints" head={['URL', 'Events', 'Status', 'Created', ...(canWrite ? ['Actions'] : [])]}>
                {page.data.map((e) => (
                  <tr key={e.id}>
                    <Td>
                      <Link
                        to="/accounts/$accountId/webhooks/$webhookId"
                        params={{ accountId, webhookId: e.id }}
                        className="break-all font-mono text-indigo-700 underline dark:text-indigo-300"
                      >
                        {e.url}
                      </Link>
                      {e.description && <p className="text-xs text-zinc-500">{e.description}</p>}
                    </Td>
                    <Td>
                      <ul className="flex flex-wrap gap-1">
                        {e.events.map((ev) => (
                          <li key={ev}>
                            <Badge>{ev === '*' ? 'every event' : ev}</Badge>
                          </li>
                        ))}
                      </ul>
                    </Td>
                    <Td>
                      <Badge tone={e.enabled ? 'good' : 'bad'}>{e.enabled ? 'enabled' : 'disabled'}</Badge>
                      {e.disabled_reason && <p className="text-xs text-zinc-500">{e.disabled_reason}</p>}
                    </Td>
                    <Td className="whitespace-nowrap">{dateTime(e.created_at)}</Td>
                    {canWrite && (
                      <Td>
                        <div className="flex flex-wrap gap-2">
                          <Button
                            aria-label={`${e.enabled ? 'Disable' : 'Enable'} ${e.url}`}
                            busy={change.isPending && change.variables?.id === e.id}
                            onClick={() => change.mutate({ id: e.id, enabled: !e.enabled })}
                          >
                            {e.enabled ? 'Disable' : 'Enable'}
                          </Button>
                          <ConfirmButton
                            label="Delete"
                            ariaLabel={`Delete ${e.url}`}
                            look="danger"
                            title="Delete this endpoint?"
                            question={
                              <>
                                <span className="font-mono">{e.url}</span> stops receiving events at once, and its delivery log is deleted with it.
                              </>
                            }
                            confirm="Delete endpoint"
                            action={async () => {
                              await api('DELETE', accountPath(accountId, `/webhooks/${e.id}`));
                              await qc.invalidateQueries({ queryKey: webhookKeys.all(accountId) });
                            }}
                          />
                        </div>
                      </Td>
                    )}
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

/** The "Add endpoint" button and its dialog: URL, the events as checkboxes, a description. */
function AddEndpoint({ accountId, onCreated }: { accountId: string; onCreated: (e: EndpointWithSecret) => void }) {
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>([]);
  const [description, setDescription] = useState('');
  const create = useMutation({
    mutationFn: () =>
      api<EndpointWithSecret>('POST', accountPath(accountId, '/webhooks'), {
        url,
        events,
        ...(description.trim() ? { description: description.trim() } : {}),
      }),
    onSuccess: async (e) => {
      onCreated(e);
      setOpen(false);
      setUrl('');
      setEvents([]);
      setDescription('');
      await qc.invalidateQueries({ queryKey: webhookKeys.all(accountId) });
    },
  });
  return (
    <Dialog
      title="Add endpoint"
      description="Hellio sends the events you tick to this URL. Its signing secret is shown once, when you create it."
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        create.reset();
      }}
      trigger={<Button look="primary">Add endpoint</Button>}
    >
      <form
        className="space-y-4"
        onSubmit={(ev) => {
          ev.preventDefault();
          create.mutate();
        }}
      >
        <Field label="URL" type="url" required placeholder="https://example.com/hooks/hellio" value={url} onChange={(e) => setUrl(e.target.value)} />
        <EventPicker value={events} onChange={setEvents} />
        <Field label="Description" hint="Optional: what this endpoint is for." maxLength={256} value={description} onChange={(e) => setDescription(e.target.value)} />
        <ErrorNote error={create.error} />
        <div className="flex justify-end">
          <Button type="submit" look="primary" busy={create.isPending}>
            Create
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/** One checkbox per event type, labelled with the type itself. */
export function EventPicker({ value, onChange }: { value: string[]; onChange: (v: string[]) => void }) {
  const all = value.includes('*');
  return (
    <fieldset>
      <legend className="text-sm font-medium">Events</legend>
      {all && <p className="text-xs text-zinc-500">This endpoint takes every event (&quot;*&quot;); ticking types narrows it to those.</p>}
      <div className="mt-1 grid grid-cols-1 gap-1 sm:grid-cols-2">
        {EVENT_TYPES.map((t) => (
          <Checkbox
            key={t}
            label={t}
            checked={value.includes(t)}
            onChange={(e) => onChange(e.target.checked ? [...value.filter((v) => v !== '*'), t] : value.filter((v) => v !== t))}
          />
        ))}
      </div>
    </fieldset>
  );
}
