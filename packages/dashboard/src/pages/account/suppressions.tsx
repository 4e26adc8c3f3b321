/** Suppressions: the recipients this account never sends to (STOP replies, bounces, complaints, by hand), with CSV import and export. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { accountPath, useAccountId, useCan } from '../../lib/account.ts';
import { api, ApiError, withQuery, type Page } from '../../lib/api.ts';
import { dateTime } from '../../lib/format.ts';
import { Button } from '../../ui/button.tsx';
import { Empty, ErrorNote, Notice, Query } from '../../ui/feedback.tsx';
import { Field, Select } from '../../ui/field.tsx';
import { Badge, PageHeader, Section, Table, Td } from '../../ui/layout.tsx';

/** An entry as GET /suppressions answers it. */
interface Suppression {
  id: string;
  channel: 'sms' | 'email';
  value: string;
  source: string;
  reason: string | null;
  created_at: string;
}

const SOURCES = ['stop', 'bounce', 'complaint', 'manual', 'import'] as const;

/** The Suppressions page. */
export function SuppressionsPage() {
  const accountId = useAccountId();
  const canWrite = useCan('messages');
  const qc = useQueryClient();
  const [channel, setChannel] = useState('');
  const [source, setSource] = useState('');
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const list = useQuery({
    queryKey: ['suppressions', accountId, channel, source, cursor ?? ''],
    queryFn: () => api<Page<Suppression>>('GET', withQuery(accountPath(accountId, '/suppressions'), { channel, source, cursor, limit: 50 })),
  });
  const [done, setDone] = useState<string | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: ['suppressions', accountId] });

  const [form, setForm] = useState({ channel: 'sms', value: '', reason: '' });
  const add = useMutation({
    mutationFn: () => api<Suppression & { created: boolean }>('POST', accountPath(accountId, '/suppressions'), { channel: form.channel, value: form.value.trim(), reason: form.reason.trim() || null }),
    onSuccess: (s) => {
      setForm({ ...form, value: '', reason: '' });
      setDone(s.created ? `Suppressed ${s.value}.` : `${s.value} was already suppressed (${s.source}).`);
      void refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (s: Suppression) => api<Suppression>('DELETE', accountPath(accountId, `/suppressions/${encodeURIComponent(s.id)}`)),
    onSuccess: (s) => {
      setDone(`Removed ${s.value}: it may be sent to again.`);
      void refresh();
    },
  });
  const [csv, setCsv] = useState('');
  const importCsv = useMutation({
    mutationFn: () => api<{ added: number; existing: number; invalid: { line: number; message: string }[] }>('POST', accountPath(accountId, '/suppressions/import'), { csv }),
    onSuccess: (r) => {
      setCsv('');
      setDone(`Imported: ${r.added} added, ${r.existing} already listed, ${r.invalid.length} invalid${r.invalid.map((i) => ` (line ${i.line}: ${i.message})`).join('')}.`);
      void refresh();
    },
  });
  const valueError = add.error instanceof ApiError ? add.error.errors?.find((e) => e.field === 'value')?.message : undefined;

  return (
    <>
      <PageHeader
        title="Suppressions"
        intro={
          <>
            Numbers and addresses this account never sends to: people who replied STOP, addresses that bounced or complained, and those added here. A send to one
            is refused with <code>recipient_suppressed</code>; in a campaign it is kept as <code>suppressed</code> and not charged.
          </>
        }
        actions={
          <a className="text-sm text-indigo-700 underline dark:text-indigo-300" href={withQuery(`/accounts/${encodeURIComponent(accountId)}/suppressions.csv`, { channel, source })}>
            Export CSV
          </a>
        }
      />
      {canWrite && (
        <Section title="Suppress a recipient">
          <form
            className="flex flex-wrap items-end gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              setDone(null);
              add.mutate();
            }}
          >
            <Select label="Channel" value={form.channel} onChange={(e) => setForm({ ...form, channel: e.target.value })}>
              <option value="sms">sms</option>
              <option value="email">email</option>
            </Select>
            <Field
              label="Number or address"
              className="min-w-0 flex-1 sm:max-w-sm"
              placeholder="+447700900123 or ada@example.com"
              required
              value={form.value}
              onChange={(e) => setForm({ ...form, value: e.target.value })}
              error={valueError}
            />
            <Field label="Reason" className="min-w-0 flex-1 sm:max-w-xs" value={form.reason} onChange={(e) => setForm({ ...form, reason: e.target.value })} />
            <Button type="submit" look="primary" busy={add.isPending}>
              Suppress
            </Button>
          </form>
          {add.error && !valueError && <ErrorNote error={add.error} />}
        </Section>
      )}
      {canWrite && (
        <Section title="Import CSV">
          <form
            className="flex flex-col gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              setDone(null);
              importCsv.mutate();
            }}
          >
            <label className="flex flex-col gap-1 text-sm">
              <span className="font-medium">CSV rows</span>
              <textarea
                className="min-h-24 rounded-md border border-zinc-300 p-2 font-mono text-sm dark:border-zinc-700 dark:bg-zinc-900"
                placeholder={'channel,value,reason\nsms,+447700900123,asked by phone'}
                required
                value={csv}
                onChange={(e) => setCsv(e.target.value)}
              />
            </label>
            <div>
              <Button type="submit" busy={importCsv.isPending}>
                Import
              </Button>
            </div>
          </form>
          <ErrorNote error={importCsv.error} />
        </Section>
      )}
      {done && <Notice>{done}</Notice>}
      <ErrorNote error={remove.error} />
      <Section title="Suppressed recipients">
        <div className="mb-3 flex flex-wrap gap-2">
          <Select
            label="Show channel"
            value={channel}
            onChange={(e) => {
              setChannel(e.target.value);
              setCursors([]);
            }}
          >
            <option value="">Any</option>
            <option value="sms">sms</option>
            <option value="email">email</option>
          </Select>
          <Select
            label="Show source"
            value={source}
            onChange={(e) => {
              setSource(e.target.value);
              setCursors([]);
            }}
          >
            <option value="">Any</option>
            {SOURCES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </Select>
        </div>
        <Query q={list}>
          {(page) => (
            <>
              {page.data.length === 0 ? (
                <Empty>Nobody is suppressed{channel || source ? ' with these filters' : ''}.</Empty>
              ) : (
                <Table caption="Suppressed recipients" head={['Recipient', 'Channel', 'Source', 'Reason', 'Since', ...(canWrite ? ['Actions'] : [])]}>
                  {page.data.map((s) => (
                    <tr key={s.id}>
                      <Td className="break-all font-mono">{s.value}</Td>
                      <Td>{s.channel}</Td>
                      <Td>
                        <Badge tone={s.source === 'manual' || s.source === 'import' ? 'neutral' : 'warn'}>{s.source}</Badge>
                      </Td>
                      <Td>{s.reason}</Td>
                      <Td className="whitespace-nowrap">{dateTime(s.created_at)}</Td>
                      {canWrite && (
                        <Td>
                          <Button busy={remove.isPending && remove.variables?.id === s.id} onClick={() => (setDone(null), remove.mutate(s))}>
                            Remove
                          </Button>
                        </Td>
                      )}
                    </tr>
                  ))}
                </Table>
              )}
              <nav aria-label="Pages of suppressions" className="mt-3 flex gap-2">
                {cursors.length > 0 && <Button onClick={() => setCursors([])}>First page</Button>}
                {page.next_cursor && <Button onClick={() => setCursors([...cursors, page.next_cursor!])}>Next page</Button>}
              </nav>
            </>
          )}
        </Query>
      </Section>
    </>
  );
}
