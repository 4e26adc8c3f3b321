/** Admin → Accounts: every account with its status and balance; the sign-ups waiting for approval; a new account. */
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useSearch } from '@tanstack/react-router';
import { useState } from 'react';
import { api, withQuery, type Page } from '../../lib/api.ts';
import type { AdminAccount, AdminAccountDetail } from '../../lib/admin.ts';
import { dateTime, money } from '../../lib/format.ts';
import { Button } from '../../ui/button.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import { Empty, ErrorNote, Loading } from '../../ui/feedback.tsx';
import { Field, Select } from '../../ui/field.tsx';
import { Badge, PageHeader, statusTone, Table, Td } from '../../ui/layout.tsx';

const STATUSES = ['active', 'pending', 'suspended'] as const;

/** The accounts list of the admin console (status filter in the URL: ?status=pending is the approval queue). */
export function AdminAccountsPage() {
  const search = useSearch({ strict: false }) as { status?: string; q?: string };
  const navigate = useNavigate();
  const status = STATUSES.includes(search.status as never) ? search.status! : '';
  const [text, setText] = useState(search.q ?? '');
  const q = search.q ?? '';
  const list = useInfiniteQuery({
    queryKey: ['admin', 'accounts', { status, q }],
    queryFn: ({ pageParam }) => api<Page<AdminAccount>>('GET', withQuery('/admin/accounts', { status, search: q, limit: 50, cursor: pageParam })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const setSearch = (next: { status?: string; q?: string }) =>
    void navigate({ to: '/admin', search: { ...(next.status ? { status: next.status } : {}), ...(next.q ? { q: next.q } : {}) }, replace: true });
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <>
      <PageHeader
        title="Accounts"
        intro="Every account on this installation, newest first. Sign-ups waiting for approval are the pending ones: open one to activate it."
        actions={<CreateAccount />}
      />
      <form
        className="mb-4 flex flex-wrap items-end gap-3"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch({ status, q: text.trim() });
        }}
      >
        <Select label="Status" value={status} onChange={(e) => setSearch({ status: e.target.value, q })} className="w-44">
          <option value="">All</option>
          <option value="pending">Pending (approval queue)</option>
          <option value="active">Active</option>
          <option value="suspended">Suspended</option>
        </Select>
        <Field label="Search" hint="An account id, or part of a name" value={text} onChange={(e) => setText(e.target.value)} className="w-64" />
        <Button type="submit">Search</Button>
      </form>
      {list.error ? (
        <ErrorNote error={list.error} />
      ) : list.isPending ? (
        <Loading what="Loading accounts" />
      ) : rows.length === 0 ? (
        <Empty>{status === 'pending' ? 'No account is waiting for approval.' : 'No account matches.'}</Empty>
      ) : (
        <>
          <Table caption={status === 'pending' ? 'Accounts waiting for approval' : 'Accounts'} head={['Name', 'Status', 'Balance', 'Created', 'Id']}>
            {rows.map((a) => (
              <tr key={a.id}>
                <Td>
                  <Link to="/admin/accounts/$accountId" params={{ accountId: a.id }} className="font-medium text-indigo-700 underline dark:text-indigo-300">
                    {a.name}
                  </Link>
                </Td>
                <Td>
                  <Badge tone={statusTone(a.status)}>{a.status}</Badge>
                </Td>
                <Td className="whitespace-nowrap tabular-nums">{money(a.balance, a.currency)}</Td>
                <Td className="whitespace-nowrap">{dateTime(a.created_at)}</Td>
                <Td className="font-mono text-xs">{a.id}</Td>
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

function CreateAccount() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [status, setStatus] = useState('active');
  const create = useMutation({
    mutationFn: () => api<AdminAccountDetail>('POST', '/admin/accounts', { name, status }),
    onSuccess: async (account) => {
      await qc.invalidateQueries({ queryKey: ['admin', 'accounts'] });
      setOpen(false);
      setName('');
      await navigate({ to: '/admin/accounts/$accountId', params: { accountId: account.id } });
    },
  });
  return (
    <Dialog
      title="Create account"
      description="An account holds a wallet, keys and senders. Add people to it from Users, or open it and invite them."
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        create.reset();
      }}
      trigger={<Button look="primary">Create account</Button>}
    >
      <form
        noValidate
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Field label="Name" required value={name} onChange={(e) => setName(e.target.value)} />
        <Select label="Status" value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="active">Active</option>
          <option value="pending">Pending (waits for activation)</option>
        </Select>
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
