/** Admin → Routes and providers: which provider carries SMS to which prefix, and how each provider is doing. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../lib/api.ts';
import { prefixLabel, type ProviderHealth, type RouteList } from '../../lib/admin.ts';
import { count } from '../../lib/format.ts';
import { Button } from '../../ui/button.tsx';
import { ConfirmButton } from '../../ui/dialog.tsx';
import { Empty, ErrorNote, Notice, Query } from '../../ui/feedback.tsx';
import { Field, Select } from '../../ui/field.tsx';
import { Badge, PageHeader, Section, Table, Td } from '../../ui/layout.tsx';

/** The routes and provider health page. */
export function AdminNetworkPage() {
  const routes = useQuery({ queryKey: ['admin', 'routes'], queryFn: () => api<RouteList>('GET', '/admin/routes') });
  return (
    <>
      <PageHeader
        title="Routes and providers"
        intro="SMS goes through the provider of the longest matching prefix, or the default provider; a fallback is tried when the provider cannot connect or throttles."
      />
      <Section title="SMS routes">
        <Query q={routes}>
          {(r) => (
            <>
              <p className="mb-3 text-sm">
                Default provider: <span className="font-mono font-medium">{r.default_sms}</span>
              </p>
              {/* Voice routes are set with the API or `hellio routes --channel voice`; this table is SMS's. */}
              {r.data.filter((x) => x.channel === 'sms').length === 0 ? (
                <Empty>No route: every SMS goes through the default provider.</Empty>
              ) : (
                <Table caption="SMS routes" head={['Prefix', 'Provider', 'Fallback', '']}>
                  {r.data.filter((x) => x.channel === 'sms').map((x) => (
                    <tr key={`${x.channel}:${x.prefix}`}>
                      <Td className="font-mono">{prefixLabel(x.prefix)}</Td>
                      <Td className="font-mono">{x.provider}</Td>
                      <Td className="font-mono">{x.fallback ?? '—'}</Td>
                      <Td className="text-right">
                        <RemoveRoute prefix={x.prefix} />
                      </Td>
                    </tr>
                  ))}
                </Table>
              )}
              <SetRoute providers={r.providers} />
            </>
          )}
        </Query>
      </Section>
      <Health />
    </>
  );
}

function RemoveRoute({ prefix }: { prefix: string }) {
  const qc = useQueryClient();
  return (
    <ConfirmButton
      label="Delete"
      look="ghost"
      ariaLabel={`Delete route ${prefix === '' ? 'default' : `+${prefix}`}`}
      title={`Delete the route for ${prefixLabel(prefix)}?`}
      question="These destinations go through a shorter prefix's route, or the default provider."
      confirm="Delete route"
      action={async () => {
        await api('DELETE', '/admin/routes', { channel: 'sms', prefix });
        await qc.invalidateQueries({ queryKey: ['admin', 'routes'] });
      }}
    />
  );
}

function SetRoute({ providers }: { providers: string[] }) {
  const qc = useQueryClient();
  const [form, setForm] = useState({ prefix: '', provider: providers[0] ?? '', fallback: '' });
  const [done, setDone] = useState<string | null>(null);
  const set = useMutation({
    mutationFn: () =>
      api<{ prefix: string; provider: string; fallback: string | null }>('PUT', '/admin/routes', {
        channel: 'sms',
        prefix: form.prefix.trim().replace(/^\+/, ''),
        provider: form.provider,
        fallback: form.fallback || null,
      }),
    onMutate: () => setDone(null),
    onSuccess: async (r) => {
      setDone(`SMS to ${prefixLabel(r.prefix)} now go through ${r.provider}${r.fallback ? `, then ${r.fallback}` : ''}.`);
      setForm({ ...form, prefix: '' });
      await qc.invalidateQueries({ queryKey: ['admin', 'routes'] });
    },
  });
  return (
    <form
      noValidate
      aria-label="Set a route"
      className="mt-4 flex flex-wrap items-end gap-3 border-t border-zinc-200 pt-4 dark:border-zinc-800"
      onSubmit={(e) => {
        e.preventDefault();
        set.mutate();
      }}
    >
      <Field label="Prefix" hint="Digits, e.g. 44. Empty: everything without a longer match." inputMode="numeric" value={form.prefix} onChange={(e) => setForm({ ...form, prefix: e.target.value })} className="w-48" />
      <Select label="Provider" value={form.provider} onChange={(e) => setForm({ ...form, provider: e.target.value })} className="w-40">
        {providers.map((p) => (
          <option key={p} value={p}>
            {p}
          </option>
        ))}
      </Select>
      <Select label="Fallback" value={form.fallback} onChange={(e) => setForm({ ...form, fallback: e.target.value })} className="w-40">
        <option value="">None</option>
        {providers
          .filter((p) => p !== form.provider)
          .map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
      </Select>
      <Button type="submit" look="primary" busy={set.isPending}>
        Set route
      </Button>
      <div className="w-full">
        <ErrorNote error={set.error} />
        {done && <Notice>{done}</Notice>}
      </div>
    </form>
  );
}

function linkTone(link: string | null): 'good' | 'bad' | 'warn' | 'neutral' {
  if (link === 'bound') return 'good';
  if (link === 'backoff' || link === 'closed') return 'bad';
  if (link === 'connecting' || link === 'idle') return 'warn';
  return 'neutral';
}

function Health() {
  // Live state: read again every 10 s while the page is open.
  const health = useQuery({ queryKey: ['admin', 'providers'], queryFn: () => api<ProviderHealth>('GET', '/admin/providers'), refetchInterval: 10_000 });
  return (
    <>
      <Section title="Providers" actions={<Button onClick={() => void health.refetch()} busy={health.isFetching}>Refresh</Button>}>
        <Query q={health}>
          {(h) => (
            <Table caption="Providers and their live state" head={['Name', 'Channel', 'Kind', 'Carries', 'Link', 'In flight', 'Queued', 'Last error']}>
              {h.providers.map((p) => (
                <tr key={`${p.channel}:${p.name}`}>
                  <Td className="font-mono">{p.name}</Td>
                  <Td>{p.channel}</Td>
                  <Td>{p.kind}</Td>
                  <Td>{[p.default && 'live (default)', p.sandbox && 'sandbox'].filter(Boolean).join(', ') || 'routed only'}</Td>
                  <Td>{p.link === null ? <span className="text-zinc-500">per message</span> : <Badge tone={linkTone(p.link)}>{p.link}</Badge>}</Td>
                  <Td className="tabular-nums">{count(p.in_flight)}</Td>
                  <Td className="tabular-nums">{count(p.queued)}</Td>
                  <Td className="max-w-xs break-words text-red-700 dark:text-red-300">{p.last_error ?? ''}</Td>
                </tr>
              ))}
            </Table>
          )}
        </Query>
      </Section>
      <Section title="Job queues">
        <Query q={health}>
          {(h) => (
            <Table caption="Job queues per kind" head={['Kind', 'Waiting', 'Due', 'Running', 'Oldest due waited']}>
              {h.queues.map((q) => (
                <tr key={q.kind}>
                  <Td className="font-mono">{q.kind}</Td>
                  <Td className="tabular-nums">{count(q.pending)}</Td>
                  <Td className="tabular-nums">{count(q.due)}</Td>
                  <Td className="tabular-nums">{count(q.running)}</Td>
                  <Td className="tabular-nums">{q.oldest_due_age_seconds === null ? '—' : `${count(q.oldest_due_age_seconds)} s`}</Td>
                </tr>
              ))}
            </Table>
          )}
        </Query>
      </Section>
    </>
  );
}
