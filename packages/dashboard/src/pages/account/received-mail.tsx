/** Received mail: email that arrived for the account's verified domains, newest first, and one of them read. */
import { useState } from 'react';
import { accountPath, useAccountId } from '../../lib/account.ts';
import { dateTime } from '../../lib/format.ts';
import { usePaged } from '../../lib/paged.ts';
import { Button } from '../../ui/button.tsx';
import { Empty, Query } from '../../ui/feedback.tsx';
import { Badge, PageHeader, Section, Table, Td } from '../../ui/layout.tsx';
import { Pager } from '../../ui/pager.tsx';

/** A received email as GET /emails/inbound answers it (the fields shown here). */
interface ReceivedEmail {
  id: string;
  mail_from: string | null;
  rcpt_to: string[];
  from: string | null;
  to: string[];
  subject: string | null;
  in_reply_to: string | null;
  text: string | null;
  html: string | null;
  size: number;
  authentication: { spf: string; dkim: string; dmarc: string };
  attachments: Array<{ n: number; filename: string | null; content_type: string; size: number }>;
  redacted: boolean;
  created_at: string;
}

const VERDICT_TONE: Record<string, 'good' | 'bad' | 'warn' | 'neutral'> = { pass: 'good', fail: 'bad', softfail: 'warn', temperror: 'warn', permerror: 'bad' };

/** SPF, DKIM and DMARC as they were judged on arrival. */
function Verdicts({ auth }: { auth: ReceivedEmail['authentication'] }) {
  return (
    <span className="flex flex-wrap gap-1">
      {(['spf', 'dkim', 'dmarc'] as const).map((k) => (
        <Badge key={k} tone={VERDICT_TONE[auth[k]] ?? 'neutral'}>
          {k.toUpperCase()} {auth[k]}
        </Badge>
      ))}
    </span>
  );
}

/** The Received mail page. */
export function ReceivedMailPage() {
  const accountId = useAccountId();
  const { q, page, newer, older } = usePaged<ReceivedEmail>(['received-mail', accountId], accountPath(accountId, '/emails/inbound'));
  const [open, setOpen] = useState<ReceivedEmail | null>(null);
  return (
    <>
      <PageHeader
        title="Received mail"
        intro={
          <>
            Email that arrived for this account's verified domains through Hellio's inbound SMTP server (bounces and complaints about its own messages are applied to
            them instead). Each is announced by the <code>email.received</code> webhook and listed by <code>GET /emails/inbound</code>; after the account's body
            retention only the envelope is left.
          </>
        }
      />
      <Section title="Inbox">
        <Query q={q}>
          {(p) =>
            p.data.length === 0 ? (
              <Empty>No mail received yet. Point a verified domain's MX record at Hellio to receive it (docs/inbound.md).</Empty>
            ) : (
              <Table caption="Received mail, newest first" head={['When', 'From', 'To', 'Subject', 'Authentication', '']}>
                {p.data.map((m) => (
                  <tr key={m.id}>
                    <Td className="whitespace-nowrap">{dateTime(m.created_at)}</Td>
                    <Td className="break-all">{m.from ?? m.mail_from ?? '—'}</Td>
                    <Td className="break-all">{m.rcpt_to.join(', ')}</Td>
                    <Td>
                      {m.redacted ? <span className="text-zinc-500">(redacted)</span> : (m.subject ?? '—')}
                      {m.attachments.length > 0 && <span className="ml-1 text-xs text-zinc-500">· {m.attachments.length} attached</span>}
                    </Td>
                    <Td>
                      <Verdicts auth={m.authentication} />
                    </Td>
                    <Td>
                      <Button aria-label={`Read the email from ${m.from ?? m.mail_from ?? 'an unknown sender'}: ${m.subject ?? 'no subject'}`} onClick={() => setOpen(m)}>
                        Read
                      </Button>
                    </Td>
                  </tr>
                ))}
              </Table>
            )
          }
        </Query>
        <Pager label="Received mail" page={page} newer={newer} older={older} />
      </Section>
      {open && <Email accountId={accountId} email={open} />}
    </>
  );
}

/** One received email: its headers, its text, its attachments (downloaded as received). */
function Email({ accountId, email: m }: { accountId: string; email: ReceivedEmail }) {
  return (
    <Section title={m.subject ?? '(no subject)'}>
      <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="font-medium">From</dt>
        <dd className="break-all">{m.from ?? '—'}</dd>
        <dt className="font-medium">To</dt>
        <dd className="break-all">{m.to.join(', ') || '—'}</dd>
        <dt className="font-medium">Envelope</dt>
        <dd className="break-all font-mono text-xs">
          {m.mail_from ?? '<>'} → {m.rcpt_to.join(', ')}
        </dd>
        {m.in_reply_to && (
          <>
            <dt className="font-medium">In reply to</dt>
            <dd className="break-all font-mono text-xs">{m.in_reply_to}</dd>
          </>
        )}
        <dt className="font-medium">Received</dt>
        <dd>{dateTime(m.created_at)}</dd>
        <dt className="font-medium">Authentication</dt>
        <dd>
          <Verdicts auth={m.authentication} />
        </dd>
      </dl>
      {m.redacted ? (
        <p className="mt-3 text-sm text-zinc-500">Its subject, bodies and attachments were removed after the account's body retention.</p>
      ) : (
        <>
          {/* The text part only: the HTML part is the sender's markup, not ours to render here. */}
          <pre aria-label="Text of the email" className="mt-3 whitespace-pre-wrap rounded-md border border-zinc-200 p-3 text-sm dark:border-zinc-800">
            {m.text ?? (m.html ? '(HTML only: read it through GET /emails/inbound/{id})' : '(empty)')}
          </pre>
          {m.attachments.length > 0 && (
            <ul aria-label="Attachments" className="mt-3 list-disc pl-5 text-sm">
              {m.attachments.map((a) => (
                <li key={a.n}>
                  <a className="text-indigo-700 underline dark:text-indigo-300" href={accountPath(accountId, `/emails/inbound/${encodeURIComponent(m.id)}/attachments/${a.n}`)}>
                    {a.filename ?? `attachment ${a.n}`}
                  </a>{' '}
                  <span className="text-zinc-500">
                    ({a.content_type}, {a.size} bytes)
                  </span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </Section>
  );
}
