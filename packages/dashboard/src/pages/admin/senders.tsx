/** Admin → Approvals: the sender requests (SMS senders, email domains and addresses) waiting for an operator. */
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { api, withQuery, type Page } from '../../lib/api.ts';
import type { SenderRequest } from '../../lib/admin.ts';
import { dateTime } from '../../lib/format.ts';
import { Button } from '../../ui/button.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { Empty, ErrorNote, Loading } from '../../ui/feedback.tsx';
import { Field, Select } from '../../ui/field.tsx';
import { Badge, PageHeader, statusTone, Table, Td } from '../../ui/layout.tsx';

const KIND: Record<SenderRequest['kind'], string> = { sms: 'SMS sender', email_domain: 'Email domain', email_address: 'Email address' };

/** The approval queue, oldest first (the request that has waited longest is at the top). */
export function AdminSendersPage() {
  const [status, setStatus] = useState('pending');
  const list = useInfiniteQuery({
    queryKey: ['admin', 'sender-requests', status],
    queryFn: ({ pageParam }) => api<Page<SenderRequest>>('GET', withQuery('/admin/sender-requests', { status, limit: 50, cursor: pageParam })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <>
      <PageHeader
        title="Approvals"
        intro="Accounts send only from senders approved for them. Members ask; you decide. The request that has waited longest is at the top."
      />
      <Select label="Show" value={status} onChange={(e) => setStatus(e.target.value)} className="mb-4 w-48">
        <option value="pending">Pending</option>
        <option value="approved">Approved</option>
        <option value="rejected">Rejected</option>
        <option value="all">All</option>
      </Select>
      {list.error ? (
        <ErrorNote error={list.error} />
      ) : list.isPending ? (
        <Loading what="Loading sender requests" />
      ) : rows.length === 0 ? (
        <Empty>{status === 'pending' ? 'Nothing is waiting for approval.' : 'No request here.'}</Empty>
      ) : (
        <>
          <Table caption="Sender requests" head={['Sender', 'Kind', 'Account', 'Note', 'Asked', 'Status', 'Decision']}>
            {rows.map((r) => (
              <tr key={r.id}>
                <Td className="font-mono">{r.sender}</Td>
                <Td>{KIND[r.kind]}</Td>
                <Td>
                  <Link to="/admin/accounts/$accountId" params={{ accountId: r.account_id }} className="font-mono text-xs text-indigo-700 underline dark:text-indigo-300">
                    {r.account_id}
                  </Link>
                </Td>
                <Td className="max-w-xs break-words">{r.note ?? '—'}</Td>
                <Td className="whitespace-nowrap">{dateTime(r.created_at)}</Td>
                <Td>
                  <Badge tone={statusTone(r.status)}>{r.status}</Badge>
                  {r.reason && <p className="mt-1 text-xs text-zinc-500">{r.reason}</p>}
                </Td>
                <Td>{r.status === 'pending' ? <Decide request={r} /> : dateTime(r.decided_at)}</Td>
              </tr>
            ))}
          </Table>
          {list.hasNextPage && (
            <Button className="mt-3" busy={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
              Show more
            </Button>
          )}
        </>
      )}
    </>
  );
}

function Decide({ request: r }: { request: SenderRequest }) {
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const done = () => qc.invalidateQueries({ queryKey: ['admin', 'sender-requests'] });
  const approve = useMutation({ mutationFn: () => api('POST', `/admin/sender-requests/${encodeURIComponent(r.id)}/approve`), onSuccess: done });
  const reject = useMutation({
    mutationFn: () => api('POST', `/admin/sender-requests/${encodeURIComponent(r.id)}/reject`, { reason: reason.trim() }),
    onSuccess: async () => {
      setOpen(false);
      await done();
    },
  });
  return (
    <div className="flex flex-wrap gap-2">
      <Button look="primary" busy={approve.isPending} aria-label={`Approve ${r.sender}`} onClick={() => approve.mutate()}>
        Approve
      </Button>
      <Dialog
        title={`Reject ${r.sender}?`}
        description="The reason is shown to the account's members."
        open={open}
        onOpenChange={(o) => {
          setOpen(o);
          reject.reset();
        }}
        trigger={
          <Button look="danger" aria-label={`Reject ${r.sender}`}>
            Reject
          </Button>
        }
      >
        <form
          noValidate
          className="space-y-3"
          onSubmit={(e) => {
            e.preventDefault();
            reject.mutate();
          }}
        >
          <Field label="Reason" required maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
          <ErrorNote error={reject.error} />
          <div className="flex justify-end">
            <Button type="submit" look="danger" busy={reject.isPending}>
              Reject request
            </Button>
          </div>
        </form>
      </Dialog>
      {approve.error ? <ErrorNote error={approve.error} /> : null}
    </div>
  );
}
