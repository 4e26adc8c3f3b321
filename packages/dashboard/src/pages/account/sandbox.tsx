/** The sandbox inbox: what the simulated phones and mailboxes got from the account's messages. */
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { accountPath, useAccountId } from '../../lib/account.ts';
import { dateTime } from '../../lib/format.ts';
import { usePaged } from '../../lib/paged.ts';
import { Button } from '../../ui/button.tsx';
import { Empty, Query } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { PageHeader, Section } from '../../ui/layout.tsx';
import { Pager } from '../../ui/pager.tsx';

/** What one simulated recipient received. */
interface InboxItem {
  id: string;
  message_id: string;
  channel: string;
  from: string;
  to: string;
  subject: string | null;
  body: string;
  created_at: string;
}

/** The account's sandbox inbox page. */
export function SandboxPage() {
  const accountId = useAccountId();
  const [typed, setTyped] = useState('');
  const [to, setTo] = useState('');
  const { q, page, newer, older } = usePaged<InboxItem>(['sandbox', accountId], accountPath(accountId, '/sandbox/inbox'), { to: to || undefined });
  return (
    <>
      <PageHeader
        title="Sandbox"
        intro="What the simulated recipients received: messages sent with a test key (cs_test_…), and every message while no real network is configured. Nothing here reached a real phone or mailbox."
      />
      <Section title="Inbox">
        <form
          role="search"
          aria-label="Filter the inbox"
          className="mb-4 flex flex-wrap items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            setTo(typed.trim());
          }}
        >
          <Field label="Recipient" placeholder="+14155550123 or someone@example.com" value={typed} onChange={(e) => setTyped(e.target.value)} className="min-w-0 flex-1 sm:max-w-sm" />
          <Button type="submit">Filter</Button>
          {to && (
            <Button
              look="ghost"
              onClick={() => {
                setTyped('');
                setTo('');
              }}
            >
              Show all
            </Button>
          )}
        </form>
        <Query q={q}>
          {(p) =>
            p.data.length === 0 ? (
              <Empty>{to ? `Nothing received by ${to}.` : 'Nothing received yet. Send a message with a test key and it shows here.'}</Empty>
            ) : (
              <ul aria-label="Received messages" className="space-y-3">
                {p.data.map((m) => (
                  <li key={m.id} className="rounded-md border border-zinc-200 p-3 dark:border-zinc-800">
                    <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
                      <span>
                        <span className="font-medium uppercase">{m.channel}</span> to <span className="break-all font-mono">{m.to}</span> from{' '}
                        <span className="break-all font-mono">{m.from}</span>
                      </span>
                      <Link
                        to="/accounts/$accountId/messages/$messageId"
                        params={{ accountId, messageId: m.message_id }}
                        className="text-xs text-indigo-700 underline dark:text-indigo-300"
                      >
                        {dateTime(m.created_at)}
                      </Link>
                    </div>
                    {m.subject && <p className="mt-1 text-sm font-semibold">{m.subject}</p>}
                    <pre className="mt-2 max-h-48 overflow-auto whitespace-pre-wrap break-words rounded bg-zinc-50 p-2 text-sm dark:bg-zinc-950">{m.body}</pre>
                  </li>
                ))}
              </ul>
            )
          }
        </Query>
        <Pager label="Inbox" page={page} newer={newer} older={older} />
      </Section>
    </>
  );
}
