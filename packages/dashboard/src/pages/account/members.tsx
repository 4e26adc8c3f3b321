/** Members and roles: who belongs to the account, open invitations, and (owners, admins) changing them. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { accountPath, useAccount, useAccountId, useCan } from '../../lib/account.ts';
import { api } from '../../lib/api.ts';
import { dateTime } from '../../lib/format.ts';
import { useMe, type Role } from '../../lib/session.ts';
import { Button } from '../../ui/button.tsx';
import { ConfirmButton } from '../../ui/dialog.tsx';
import { Empty, ErrorNote, Notice, Query } from '../../ui/feedback.tsx';
import { Field, Select } from '../../ui/field.tsx';
import { Badge, PageHeader, Section, Table, Td } from '../../ui/layout.tsx';

/** A member as GET /members lists them. */
interface Member {
  user_id: string;
  email: string;
  name: string | null;
  role: Role;
  joined_at: string;
}

/** An open invitation (never its token). */
interface Invitation {
  id: string;
  email: string;
  role: Role;
  invited_by: string | null;
  created_at: string;
  expires_at: string;
}

const ROLES: { role: Role; what: string }[] = [
  { role: 'owner', what: 'everything, members and billing included' },
  { role: 'admin', what: 'everything but ownership and the audit log' },
  { role: 'developer', what: 'keys, webhooks, allowlist, senders, traffic' },
  { role: 'viewer', what: 'reads, wallet and members included' },
];

/** The account's members page. */
export function MembersPage() {
  const accountId = useAccountId();
  const canWrite = useCan('members');
  const myRole = useAccount().role;
  // Only an owner grants or takes away ownership (the server refuses it to admins anyway).
  const grantable = ROLES.filter((r) => myRole === 'owner' || r.role !== 'owner');
  return (
    <>
      <PageHeader title="Members" intro={<>Who may use this account, and with which role: {ROLES.map((r) => `${r.role} (${r.what})`).join('; ')}.</>} />
      <MemberList accountId={accountId} canWrite={canWrite} grantable={grantable.map((r) => r.role)} myRole={myRole} />
      {canWrite && <InviteForm accountId={accountId} roles={grantable.map((r) => r.role)} />}
      <Invitations accountId={accountId} canWrite={canWrite} />
    </>
  );
}

function useRefresh(accountId: string) {
  const qc = useQueryClient();
  return () => {
    void qc.invalidateQueries({ queryKey: ['members', accountId] });
    void qc.invalidateQueries({ queryKey: ['invitations', accountId] });
    void qc.invalidateQueries({ queryKey: ['audit', accountId] });
  };
}

function MemberList({ accountId, canWrite, grantable, myRole }: { accountId: string; canWrite: boolean; grantable: Role[]; myRole: Role }) {
  const q = useQuery({ queryKey: ['members', accountId], queryFn: () => api<{ data: Member[] }>('GET', accountPath(accountId, '/members')) });
  const me = useMe().data?.user.id;
  return (
    <Section title="Members">
      <Query q={q}>
        {({ data }) =>
          data.length === 0 ? (
            <Empty>No members.</Empty>
          ) : (
            <Table caption="Members, oldest first" head={canWrite ? ['Person', 'Role', 'Joined', 'Actions'] : ['Person', 'Role', 'Joined']}>
              {data.map((m) => (
                <MemberRow key={m.user_id} accountId={accountId} m={m} canWrite={canWrite && (myRole === 'owner' || m.role !== 'owner')} grantable={grantable} isMe={m.user_id === me} />
              ))}
            </Table>
          )
        }
      </Query>
    </Section>
  );
}

function MemberRow({ accountId, m, canWrite, grantable, isMe }: { accountId: string; m: Member; canWrite: boolean; grantable: Role[]; isMe: boolean }) {
  const refresh = useRefresh(accountId);
  const change = useMutation({
    mutationFn: (role: Role) => api('PATCH', accountPath(accountId, `/members/${encodeURIComponent(m.user_id)}`), { role }),
    onSettled: refresh,
  });
  const who = m.name ? `${m.name} (${m.email})` : m.email;
  return (
    <tr>
      <Td>
        <div className="font-medium">{m.name ?? m.email}</div>
        {m.name && <div className="break-all text-xs text-zinc-500">{m.email}</div>}
        {isMe && <Badge>you</Badge>}
      </Td>
      <Td>
        {canWrite ? (
          <>
            <select
              aria-label={`Role of ${m.email}`}
              className="rounded-md border border-zinc-300 bg-white px-2 py-1 text-sm dark:border-zinc-700 dark:bg-zinc-900"
              value={change.isPending ? change.variables : m.role}
              disabled={change.isPending}
              onChange={(e) => change.mutate(e.target.value as Role)}
            >
              {grantable.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
            <ErrorNote error={change.error} />
          </>
        ) : (
          <Badge>{m.role}</Badge>
        )}
      </Td>
      <Td className="whitespace-nowrap">{dateTime(m.joined_at)}</Td>
      {canWrite && (
        <Td>
          <ConfirmButton
            label="Remove"
            ariaLabel={`Remove ${m.email}`}
            title={`Remove ${who}?`}
            question="They lose access to this account at once. Their user and their other accounts stay."
            confirm="Remove member"
            look="danger"
            action={async () => {
              await api('DELETE', accountPath(accountId, `/members/${encodeURIComponent(m.user_id)}`));
              refresh();
            }}
          />
        </Td>
      )}
    </tr>
  );
}

function InviteForm({ accountId, roles }: { accountId: string; roles: Role[] }) {
  const refresh = useRefresh(accountId);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('developer');
  const invite = useMutation({
    mutationFn: () => api<Invitation>('POST', accountPath(accountId, '/invitations'), { email: email.trim(), role }),
    onSuccess: () => {
      setEmail('');
      refresh();
    },
  });
  return (
    <Section title="Invite someone">
      <form
        className="flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          invite.mutate();
        }}
      >
        <Field label="Email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} className="min-w-0 flex-1 sm:max-w-sm" />
        <Select label="Role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
          {roles.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </Select>
        <Button type="submit" look="primary" busy={invite.isPending}>
          Invite
        </Button>
      </form>
      <ErrorNote error={invite.error} />
      {invite.isSuccess && <Notice>Invitation sent to {invite.data.email}: the link in it works once, for 7 days.</Notice>}
    </Section>
  );
}

function Invitations({ accountId, canWrite }: { accountId: string; canWrite: boolean }) {
  const refresh = useRefresh(accountId);
  const q = useQuery({ queryKey: ['invitations', accountId], queryFn: () => api<{ data: Invitation[] }>('GET', accountPath(accountId, '/invitations')) });
  return (
    <Section title="Open invitations">
      <Query q={q}>
        {({ data }) =>
          data.length === 0 ? (
            <Empty>No open invitations.</Empty>
          ) : (
            <Table caption="Open invitations, newest first" head={canWrite ? ['Email', 'Role', 'Sent', 'Expires', 'Actions'] : ['Email', 'Role', 'Sent', 'Expires']}>
              {data.map((i) => (
                <tr key={i.id}>
                  <Td className="break-all">{i.email}</Td>
                  <Td>
                    <Badge>{i.role}</Badge>
                  </Td>
                  <Td className="whitespace-nowrap">{dateTime(i.created_at)}</Td>
                  <Td className="whitespace-nowrap">{dateTime(i.expires_at)}</Td>
                  {canWrite && (
                    <Td>
                      <ConfirmButton
                        label="Revoke"
                        ariaLabel={`Revoke the invitation of ${i.email}`}
                        title={`Revoke the invitation of ${i.email}?`}
                        question="Its link stops working at once."
                        confirm="Revoke invitation"
                        look="danger"
                        action={async () => {
                          await api('DELETE', accountPath(accountId, `/invitations/${encodeURIComponent(i.id)}`));
                          refresh();
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
  );
}
