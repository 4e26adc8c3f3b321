/** The audit log: who changed what in the account, when, from where, before and after. */
import { useState } from 'react';
import { accountPath, useAccountId } from '../../lib/account.ts';
import { dateTime } from '../../lib/format.ts';
import { usePaged } from '../../lib/paged.ts';
import { Empty, Query } from '../../ui/feedback.tsx';
import { Select } from '../../ui/field.tsx';
import { Badge, PageHeader, Section, Table, Td } from '../../ui/layout.tsx';
import { Pager } from '../../ui/pager.tsx';

/** One row of the audit log. */
interface AuditEntry {
  id: string;
  actor: { type: 'user' | 'cli'; id?: string; email: string | null; operator?: boolean };
  action: string;
  target: string | null;
  ip: string | null;
  before: unknown;
  after: unknown;
  created_at: string;
}

// The actions of docs/api.md's audit route, for the filter.
const ACTIONS = [
  'key.create', 'key.revoke', 'key.rotate', 'account.rename', 'allowlist.add', 'allowlist.remove', 'sender.request', 'sender.remove', 'billing.caps',
  'billing.low_balance_alert', 'member.invite', 'member.invite.revoke', 'member.role', 'member.remove', 'member.join', 'webhook.create', 'webhook.update', 'webhook.delete',
  'webhook.rotate_secret', 'webhook.test', 'webhook.retry', 'domain.add', 'domain.verify', 'message.cancel',
];

const json = (v: unknown) => (v === null || v === undefined ? '' : JSON.stringify(v));

/** The account's audit log page (owners only). */
export function AuditPage() {
  const accountId = useAccountId();
  const [action, setAction] = useState('');
  const { q, page, newer, older } = usePaged<AuditEntry>(['audit', accountId], accountPath(accountId, '/audit'), { action: action || undefined });
  return (
    <>
      <PageHeader title="Audit log" intro="Every change people made to this account through the dashboard or the management API, newest first. Changes made with API keys are not people's and are not here." />
      <Section title="Changes">
        <Select label="Action" value={action} onChange={(e) => setAction(e.target.value)} className="mb-3 max-w-64">
          <option value="">All actions</option>
          {ACTIONS.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </Select>
        <Query q={q}>
          {(p) =>
            p.data.length === 0 ? (
              <Empty>No changes recorded{action ? ` for ${action}` : ''}.</Empty>
            ) : (
              <Table caption="Audit log, newest first" head={['When', 'Who', 'What', 'Target', 'Change', 'From']}>
                {p.data.map((e) => (
                  <tr key={e.id}>
                    <Td className="whitespace-nowrap">{dateTime(e.created_at)}</Td>
                    <Td className="break-all">
                      {e.actor.type === 'cli' ? 'command line' : (e.actor.email ?? e.actor.id)}
                      {e.actor.operator && (
                        <>
                          {' '}
                          <Badge tone="warn">operator</Badge>
                        </>
                      )}
                    </Td>
                    <Td className="whitespace-nowrap font-mono text-xs">{e.action}</Td>
                    <Td className="break-all font-mono text-xs">{e.target ?? '—'}</Td>
                    <Td className="max-w-md text-xs">
                      {e.before !== null && e.before !== undefined && (
                        <div className="break-all">
                          <span className="text-zinc-500">before </span>
                          <code>{json(e.before)}</code>
                        </div>
                      )}
                      {e.after !== null && e.after !== undefined && (
                        <div className="break-all">
                          <span className="text-zinc-500">after </span>
                          <code>{json(e.after)}</code>
                        </div>
                      )}
                    </Td>
                    <Td className="font-mono text-xs">{e.ip ?? '—'}</Td>
                  </tr>
                ))}
              </Table>
            )
          }
        </Query>
        <Pager label="Audit log" page={page} newer={newer} older={older} />
      </Section>
    </>
  );
}
