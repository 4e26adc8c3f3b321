/** Senders and Domains: approved senders, requests to the operators, sending domains and their DNS records. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { accountPath, useAccountId, useCan } from '../../lib/account.ts';
import { api, ApiError, type Page } from '../../lib/api.ts';
import { dateTime } from '../../lib/format.ts';
import { Button } from '../../ui/button.tsx';
import { CopyButton } from '../../ui/copy.tsx';
import { ConfirmButton } from '../../ui/dialog.tsx';
import { Empty, ErrorNote, Notice, Query } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { Badge, PageHeader, Section, statusTone, Table, Td } from '../../ui/layout.tsx';

type SenderKind = 'sms' | 'email_domain' | 'email_address';

/** An approved sender. */
interface Sender {
  id: string;
  kind: SenderKind;
  sender: string;
  created_at: string;
}

/** A request for a sender, waiting for an operator or refused by one. */
interface SenderRequest {
  id: string;
  kind: SenderKind;
  sender: string;
  status: 'pending' | 'approved' | 'rejected';
  note: string | null;
  reason: string | null;
  created_at: string;
  decided_at: string | null;
}

/** A DNS record the domain's owner publishes. */
interface DnsRecord {
  type: string;
  name: string;
  value: string;
  purpose: string;
}

/** A sending domain with its DKIM key's records. */
interface Domain {
  id: string;
  domain: string;
  status: 'pending' | 'verified';
  dkim_selector: string;
  records: DnsRecord[];
  verified_at: string | null;
  created_at: string;
}

/** The answer of a re-check: the domain, and what DNS showed. */
type Verified = Domain & { checks: { dkim: boolean; spf: boolean | null } };

const KIND: Record<SenderKind, string> = { sms: 'SMS sender', email_domain: 'Email domain', email_address: 'Email address' };
const PURPOSE: Record<string, string> = { dkim: 'DKIM', spf: 'SPF', return_path: 'Return path' };

/** The field error of an API refusal, if it names that field. */
function fieldError(err: unknown, field: string): string | undefined {
  return err instanceof ApiError ? err.errors?.find((e) => e.field === field)?.message : undefined;
}

/** The Senders page. */
export function SendersPage() {
  const accountId = useAccountId();
  const canWrite = useCan('senders');
  return (
    <>
      <PageHeader
        title="Senders"
        intro="Messages go out only from approved senders: SMS sender ids, short codes and numbers, email addresses and domains. Ask the operators for a new one, or add a sending domain and prove it is yours by publishing its DNS records."
      />
      <SenderSections accountId={accountId} canWrite={canWrite} />
      <DomainSection accountId={accountId} canWrite={canWrite} />
    </>
  );
}

function SenderSections({ accountId, canWrite }: { accountId: string; canWrite: boolean }) {
  const qc = useQueryClient();
  const queryKey = ['account', accountId, 'senders'];
  const senders = useQuery({ queryKey, queryFn: () => api<{ data: Sender[]; requests: SenderRequest[] }>('GET', accountPath(accountId, '/senders')) });
  const [sender, setSender] = useState('');
  const [note, setNote] = useState('');
  const request = useMutation({
    mutationFn: () => api<SenderRequest>('POST', accountPath(accountId, '/senders'), { sender: sender.trim(), note: note.trim() || null }),
    onSuccess: () => {
      setSender('');
      setNote('');
      return qc.invalidateQueries({ queryKey });
    },
  });
  const senderError = fieldError(request.error, 'sender');
  const noteError = fieldError(request.error, 'note');

  return (
    <>
      {canWrite && (
        <Section title="Request a sender">
          <form
            className="grid gap-3 sm:grid-cols-[1fr_1fr_auto] sm:items-end"
            onSubmit={(e) => {
              e.preventDefault();
              request.mutate();
            }}
          >
            <Field
              label="Sender"
              required
              placeholder="HELLIO, +14155550100 or news@example.com"
              hint="An SMS sender id (up to 11 letters and digits), a short code or an E.164 number; an email address or domain."
              value={sender}
              onChange={(e) => setSender(e.target.value)}
              error={senderError}
            />
            <Field label="Note for the operators" placeholder="What it is for" maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} error={noteError} hint="Optional." />
            <Button type="submit" look="primary" busy={request.isPending} className="sm:mb-5">
              Request sender
            </Button>
          </form>
          {request.error && !senderError && !noteError && <ErrorNote error={request.error} />}
          {request.isSuccess && <Notice>Requested {request.data.sender}: an operator will approve or refuse it.</Notice>}
        </Section>
      )}
      <Section title="Approved senders">
        <Query q={senders}>
          {(s) =>
            s.data.length === 0 ? (
              <Empty>No approved senders yet.</Empty>
            ) : (
              <Table caption="Approved senders" head={['Sender', 'Kind', 'Approved', ...(canWrite ? ['Actions'] : [])]}>
                {s.data.map((x) => (
                  <tr key={x.id}>
                    <Td className="font-mono">{x.sender}</Td>
                    <Td>{KIND[x.kind]}</Td>
                    <Td className="whitespace-nowrap">{dateTime(x.created_at)}</Td>
                    {canWrite && (
                      <Td>
                        <ConfirmButton
                          label="Remove"
                          look="danger"
                          title={`Remove ${x.sender}?`}
                          question="Messages from this sender are refused from then on. Using it again needs a new approval."
                          confirm="Remove sender"
                          action={async () => {
                            await api('DELETE', accountPath(accountId, `/senders/${encodeURIComponent(x.id)}`));
                            await qc.invalidateQueries({ queryKey });
                          }}
                        />
                      </Td>
                    )}
                  </tr>
                ))}
              </Table>
            )
          }
        </Query>
      </Section>
      <Section title="Requests">
        <Query q={senders}>
          {(s) =>
            s.requests.length === 0 ? (
              <Empty>No open or refused requests.</Empty>
            ) : (
              <Table caption="Sender requests" head={['Sender', 'Kind', 'Status', 'Note', "Operator's reason", 'Requested', 'Decided']}>
                {s.requests.map((r) => (
                  <tr key={r.id}>
                    <Td className="font-mono">{r.sender}</Td>
                    <Td>{KIND[r.kind]}</Td>
                    <Td>
                      <Badge tone={statusTone(r.status)}>{r.status}</Badge>
                    </Td>
                    <Td>{r.note ?? '—'}</Td>
                    <Td>{r.reason ?? '—'}</Td>
                    <Td className="whitespace-nowrap">{dateTime(r.created_at)}</Td>
                    <Td className="whitespace-nowrap">{dateTime(r.decided_at)}</Td>
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

function DomainSection({ accountId, canWrite }: { accountId: string; canWrite: boolean }) {
  const qc = useQueryClient();
  const queryKey = ['account', accountId, 'domains'];
  const domains = useQuery({ queryKey, queryFn: () => api<Page<Domain>>('GET', accountPath(accountId, '/domains')) });
  const [name, setName] = useState('');
  const add = useMutation({
    mutationFn: () => api<Domain>('POST', accountPath(accountId, '/domains'), { domain: name.trim() }),
    onSuccess: () => {
      setName('');
      return qc.invalidateQueries({ queryKey });
    },
  });
  const domainError = fieldError(add.error, 'domain');
  return (
    <Section title="Email domains">
      <p className="mb-3 text-sm text-zinc-600 dark:text-zinc-400">
        Add a domain to send email from any address of it, signed with its own DKIM key. Publish the records below at your DNS host, then re-check: a published
        DKIM record verifies the domain and approves it as a sender. SPF is reported but not required.
      </p>
      {canWrite && (
        <form
          className="mb-4 flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate();
          }}
        >
          <Field label="Domain" className="min-w-0 flex-1 sm:max-w-sm" required placeholder="example.com" value={name} onChange={(e) => setName(e.target.value)} error={domainError} />
          <Button type="submit" look="primary" busy={add.isPending}>
            Add domain
          </Button>
        </form>
      )}
      {add.error && !domainError && <ErrorNote error={add.error} />}
      <Query q={domains}>
        {(d) =>
          d.data.length === 0 ? (
            <Empty>No sending domains yet.</Empty>
          ) : (
            <div className="space-y-4">
              {d.data.map((x) => (
                <DomainCard key={x.id} d={x} accountId={accountId} canWrite={canWrite} />
              ))}
            </div>
          )
        }
      </Query>
    </Section>
  );
}

/** One domain: its status, the records to publish (each with copy buttons), and a re-check. */
function DomainCard({ d, accountId, canWrite }: { d: Domain; accountId: string; canWrite: boolean }) {
  const qc = useQueryClient();
  const verify = useMutation({
    mutationFn: () => api<Verified>('POST', accountPath(accountId, `/domains/${encodeURIComponent(d.id)}/verify`)),
    // A verified domain is an approved sender too: both lists change.
    onSuccess: () => Promise.all([qc.invalidateQueries({ queryKey: ['account', accountId, 'domains'] }), qc.invalidateQueries({ queryKey: ['account', accountId, 'senders'] })]),
  });
  return (
    <article aria-label={d.domain} className="rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 className="font-mono font-semibold">
          {d.domain} <Badge tone={statusTone(d.status)}>{d.status}</Badge>
        </h3>
        {canWrite && (
          <Button busy={verify.isPending} onClick={() => verify.mutate()}>
            Re-check
          </Button>
        )}
      </div>
      <p className="mt-1 text-xs text-zinc-500">
        Added {dateTime(d.created_at)}
        {d.verified_at && <> · verified {dateTime(d.verified_at)}</>} · DKIM selector <span className="font-mono">{d.dkim_selector}</span>
      </p>
      <ErrorNote error={verify.error} />
      {verify.data && (
        <div role="status" className="my-2 rounded-md border border-zinc-200 bg-zinc-50 px-3 py-2 text-sm dark:border-zinc-700 dark:bg-zinc-800">
          <p className="font-medium">{verify.data.status === 'verified' ? 'Verified: the domain is an approved sender.' : 'Not verified yet.'}</p>
          <ul className="mt-1">
            <li>DKIM record: {verify.data.checks.dkim ? 'found and matching' : 'not found, or not matching the key'}</li>
            <li>SPF record: {verify.data.checks.spf === null ? 'no TXT record at the domain' : verify.data.checks.spf ? 'found' : 'not found'}</li>
          </ul>
        </div>
      )}
      {/* A list rather than a table: the DKIM value is long, and on a phone each record reads best stacked. */}
      <h4 className="mt-3 text-sm font-medium">DNS records to publish</h4>
      <ul aria-label={`DNS records for ${d.domain}`} className="mt-2 space-y-2">
        {d.records.map((r) => {
          const what = PURPOSE[r.purpose] ?? r.purpose;
          return (
            <li key={r.purpose + r.name} className="rounded border border-zinc-200 p-2 text-sm dark:border-zinc-800">
              <p className="font-medium">
                <span className="font-mono">{r.type}</span> · {what}
              </p>
              <dl className="mt-1 grid gap-x-3 gap-y-1 sm:grid-cols-[4rem_1fr]">
                <dt className="text-xs uppercase text-zinc-500">Name</dt>
                <dd className="flex flex-wrap items-center gap-2">
                  <code className="break-all text-xs">{r.name}</code>
                  <CopyButton value={r.name} label={`Copy ${what} name`} />
                </dd>
                <dt className="text-xs uppercase text-zinc-500">Value</dt>
                <dd className="flex flex-wrap items-center gap-2">
                  <code className="min-w-0 max-w-2xl break-all text-xs">{r.value}</code>
                  <CopyButton value={r.value} label={`Copy ${what} value`} />
                </dd>
              </dl>
            </li>
          );
        })}
      </ul>
    </article>
  );
}
