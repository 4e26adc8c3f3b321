/** Admin → Users: the people who sign in, their accounts and roles, the operator flag; a new user. */
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { api, withQuery, type Page } from '../../lib/api.ts';
import type { AdminUser } from '../../lib/admin.ts';
import { dateTime } from '../../lib/format.ts';
import { useMe } from '../../lib/session.ts';
import { Button } from '../../ui/button.tsx';
import { ConfirmButton, Dialog } from '../../ui/dialog.tsx';
import { Empty, ErrorNote, Loading } from '../../ui/feedback.tsx';
import { Checkbox, Field, Select } from '../../ui/field.tsx';
import { Badge, PageHeader, Table, Td } from '../../ui/layout.tsx';

/** The users page of the admin console. */
export function AdminUsersPage() {
  const [text, setText] = useState('');
  const [search, setSearch] = useState('');
  const me = useMe().data;
  const list = useInfiniteQuery({
    queryKey: ['admin', 'users', search],
    queryFn: ({ pageParam }) => api<Page<AdminUser>>('GET', withQuery('/admin/users', { search, limit: 50, cursor: pageParam })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <>
      <PageHeader title="Users" intro="Everyone who can sign in, with their accounts and roles. Operators run the installation: this console is theirs." actions={<CreateUser />} />
      <form
        role="search"
        className="mb-4 flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          setSearch(text.trim());
        }}
      >
        <Field label="Search" hint="Part of an email" value={text} onChange={(e) => setText(e.target.value)} className="w-64" />
        <Button type="submit">Search</Button>
      </form>
      {list.error ? (
        <ErrorNote error={list.error} />
      ) : list.isPending ? (
        <Loading what="Loading users" />
      ) : rows.length === 0 ? (
        <Empty>No user matches.</Empty>
      ) : (
        <>
          <Table caption="Users" head={['Email', 'Name', 'Accounts', 'Operator', 'Created']}>
            {rows.map((u) => (
              <tr key={u.id}>
                <Td>
                  {u.email}
                  {!u.email_verified && (
                    <>
                      {' '}
                      <Badge tone="warn">unverified</Badge>
                    </>
                  )}
                  {u.totp_enabled && (
                    <>
                      {' '}
                      <Badge>2FA</Badge>
                    </>
                  )}
                </Td>
                <Td>{u.name ?? '—'}</Td>
                <Td>
                  {u.accounts.length === 0 ? (
                    '—'
                  ) : (
                    <ul>
                      {u.accounts.map((a) => (
                        <li key={a.id}>
                          <Link to="/admin/accounts/$accountId" params={{ accountId: a.id }} className="text-indigo-700 underline dark:text-indigo-300">
                            {a.name}
                          </Link>{' '}
                          <span className="text-zinc-500">({a.role})</span>
                        </li>
                      ))}
                    </ul>
                  )}
                </Td>
                <Td>
                  <div className="flex flex-wrap items-center gap-2">
                    {u.operator ? <Badge tone="good">operator</Badge> : <span className="text-zinc-500">no</span>}
                    <OperatorToggle user={u} self={u.id === me?.user.id} />
                  </div>
                </Td>
                <Td className="whitespace-nowrap">{dateTime(u.created_at)}</Td>
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

function OperatorToggle({ user: u, self }: { user: AdminUser; self: boolean }) {
  const qc = useQueryClient();
  const grant = !u.operator;
  return (
    <ConfirmButton
      label={grant ? 'Make operator' : 'Remove operator'}
      look="ghost"
      ariaLabel={`${grant ? 'Make operator' : 'Remove operator'}: ${u.email}`}
      title={grant ? `Make ${u.email} an operator?` : `Remove the operator flag from ${u.email}?`}
      question={
        grant
          ? 'Operators run the installation: every account, price, route and user. It takes effect on their next request.'
          : self
            ? 'You lose the admin console at once. The last operator keeps the flag.'
            : 'They lose the admin console on their next request.'
      }
      confirm={grant ? 'Make operator' : 'Remove operator'}
      action={async () => {
        await api('POST', `/admin/users/${encodeURIComponent(u.id)}/operator`, { operator: grant });
        await qc.invalidateQueries({ queryKey: ['admin', 'users'] });
        if (self) await qc.invalidateQueries({ queryKey: ['me'] });
      }}
    />
  );
}

function CreateUser() {
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const empty = { email: '', password: '', name: '', account_id: '', role: 'owner', operator: false };
  const [form, setForm] = useState(empty);
  const create = useMutation({
    mutationFn: () =>
      api<AdminUser>('POST', '/admin/users', {
        email: form.email.trim(),
        password: form.password,
        ...(form.name.trim() ? { name: form.name.trim() } : {}),
        ...(form.account_id.trim() ? { account_id: form.account_id.trim(), role: form.role } : {}),
        operator: form.operator,
      }),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['admin', 'users'] });
      setOpen(false);
      setForm(empty);
    },
  });
  return (
    <Dialog
      title="Create user"
      description="They sign in with this email and password. To let someone choose their own password, invite them from the account's Members page instead."
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        create.reset();
      }}
      trigger={<Button look="primary">Create user</Button>}
    >
      <form
        noValidate
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Field label="Email" type="email" required value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
        <Field label="Password" type="password" autoComplete="new-password" required hint="8 to 256 characters." value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />
        <Field label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} />
        <Field label="Account id" hint="Optional: makes them a member of this account (acc_…)." value={form.account_id} onChange={(e) => setForm({ ...form, account_id: e.target.value })} />
        <Select label="Role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value })} disabled={!form.account_id.trim()}>
          <option value="owner">owner</option>
          <option value="admin">admin</option>
          <option value="developer">developer</option>
          <option value="viewer">viewer</option>
        </Select>
        <Checkbox label="Operator" checked={form.operator} onChange={(e) => setForm({ ...form, operator: e.target.checked })} />
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
