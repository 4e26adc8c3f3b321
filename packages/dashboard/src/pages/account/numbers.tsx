/** Numbers: the numbers this account receives SMS on, and its automatic replies to STOP, START and HELP. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { accountPath, useAccountId, useCan } from '../../lib/account.ts';
import { api, ApiError } from '../../lib/api.ts';
import { dateTime } from '../../lib/format.ts';
import { Button } from '../../ui/button.tsx';
import { Empty, ErrorNote, Notice, Query } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { Badge, PageHeader, Section, Table, Td } from '../../ui/layout.tsx';

/** A number as GET /numbers answers it. */
interface ReceivingNumber {
  number: string;
  account_id: string;
  created_at: string;
}

const KEYWORDS = ['stop', 'start', 'help'] as const;
type Keyword = (typeof KEYWORDS)[number];
/** GET|PATCH /numbers/replies: each reply's text ('' = none) and whether it is the installation's default. */
type Replies = Record<Keyword, { text: string; default: boolean }>;

/** The Numbers page. */
export function NumbersPage() {
  const accountId = useAccountId();
  const numbers = useQuery({ queryKey: ['numbers', accountId], queryFn: () => api<{ data: ReceivingNumber[] }>('GET', accountPath(accountId, '/numbers')) });
  return (
    <>
      <PageHeader
        title="Numbers"
        intro={
          <>
            The numbers this account receives SMS on. Replies to them arrive on Messages (direction inbound) and as <code>message.received</code> webhooks; STOP puts
            the sender on Suppressions, START takes them off. An operator assigns numbers (Admin → Numbers, or <code>hellio numbers assign</code>).
          </>
        }
      />
      <Section title="Receiving numbers">
        <Query q={numbers}>
          {(list) =>
            list.data.length === 0 ? (
              <Empty>No number yet: ask an operator to assign one.</Empty>
            ) : (
              <Table caption="Receiving numbers" head={['Number', 'Since']}>
                {list.data.map((n) => (
                  <tr key={n.number}>
                    <Td className="font-mono">{n.number}</Td>
                    <Td className="whitespace-nowrap">{dateTime(n.created_at)}</Td>
                  </tr>
                ))}
              </Table>
            )
          }
        </Query>
      </Section>
      <AutomaticReplies accountId={accountId} />
    </>
  );
}

/** The replies to STOP, START and HELP: shown to readers, edited by those who may send. */
function AutomaticReplies({ accountId }: { accountId: string }) {
  const canWrite = useCan('messages');
  const qc = useQueryClient();
  const key = ['number-replies', accountId];
  const replies = useQuery({ queryKey: key, queryFn: () => api<Replies>('GET', accountPath(accountId, '/numbers/replies')) });
  // What the form holds, per keyword, once edited (untouched keywords are not sent).
  const [edits, setEdits] = useState<Partial<Record<Keyword, string>>>({});
  const [done, setDone] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (change: Partial<Record<Keyword, string | null>>) => api<Replies>('PATCH', accountPath(accountId, '/numbers/replies'), change),
    onSuccess: (saved) => {
      qc.setQueryData(key, saved);
      setEdits({});
      setDone('Replies saved.');
    },
  });
  const fieldError = (k: Keyword) => (save.error instanceof ApiError ? save.error.errors?.find((e) => e.field === k)?.message : undefined);

  return (
    <Section title="Automatic replies">
      <Query q={replies}>
        {(r) => (
          <form
            className="flex flex-col gap-3"
            onSubmit={(e) => {
              e.preventDefault();
              setDone(null);
              save.mutate(edits);
            }}
          >
            {KEYWORDS.map((k) => (
              <div key={k} className="flex flex-wrap items-end gap-2">
                <Field
                  label={`Reply to ${k.toUpperCase()}`}
                  className="min-w-0 flex-1"
                  maxLength={459}
                  readOnly={!canWrite}
                  value={edits[k] ?? r[k].text}
                  onChange={(e) => setEdits({ ...edits, [k]: e.target.value })}
                  hint={r[k].text === '' ? 'No reply is sent.' : undefined}
                  error={fieldError(k)}
                />
                <Badge tone={r[k].default ? 'neutral' : 'good'}>{r[k].default ? 'default' : 'yours'}</Badge>
                {canWrite && !r[k].default && (
                  <Button onClick={() => (setDone(null), save.mutate({ [k]: null }))} aria-label={`Use the default reply to ${k.toUpperCase()}`}>
                    Use the default
                  </Button>
                )}
              </div>
            ))}
            {canWrite && (
              <div>
                <Button type="submit" look="primary" busy={save.isPending} disabled={Object.keys(edits).length === 0}>
                  Save replies
                </Button>
              </div>
            )}
          </form>
        )}
      </Query>
      {done && <Notice>{done}</Notice>}
      {save.error && !KEYWORDS.some(fieldError) && <ErrorNote error={save.error} />}
    </Section>
  );
}
