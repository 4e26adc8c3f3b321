import { validationError } from '../../lib/errors.ts';
import { rfc3339 } from '../../lib/time.ts';
import type { AccountRow } from '../../store/repos/accounts.ts';
import type { Store } from '../../store/store.ts';
import type { Deps } from '../deps.ts';
import type { AccountActor, AuditActor } from '../people/actor.ts';
import { audit } from '../people/audit.ts';
import type { Role } from '../people/roles.ts';
import { changeAllowlist, getAccount } from './accounts.ts';
import { normaliseAllowlistEntry } from './ip-allowlist.ts';

/** The longest account name: what a dashboard header shows. */
export const MAX_ACCOUNT_NAME = 100;

/** An account as its members see it, with the role of the one asking. */
export function accountView(a: AccountRow, role: Role) {
  return { id: a.id, name: a.name, status: a.status, twilio_account_sid: a.twilio_account_sid, created_at: rfc3339(a.created_at), role };
}

/** The accounts a person belongs to, with their role in each (GET /accounts). */
export async function accountsOfPerson(store: Store, actor: { userId: string; operator: boolean }) {
  const rows = await store.users.accountsOf(actor.userId);
  return {
    data: rows.map((m) => ({ id: m.account_id, name: m.account_name, status: m.account_status, role: m.role })),
    // Operators see every account through the admin API; this list is only their memberships.
    operator: actor.operator,
  };
}

/** The account of the path, for one of its members. */
export async function accountOfMember(store: Store, actor: AccountActor) {
  return accountView(await getAccount(store, actor.accountId), actor.role);
}

/** Renames the account, audited. */
export async function renameAccount({ store, clock }: Deps, actor: AccountActor, name: string) {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > MAX_ACCOUNT_NAME) throw validationError([{ field: 'name', message: `must be 1 to ${MAX_ACCOUNT_NAME} characters` }]);
  const now = clock.now();
  return store.transaction(async (tx) => {
    const before = await getAccount(tx, actor.accountId);
    if (before.name !== trimmed) {
      await tx.accounts.update(actor.accountId, { name: trimmed, updated_at: now });
      await audit(tx, actor, { accountId: actor.accountId, action: 'account.rename', target: actor.accountId, before: { name: before.name }, after: { name: trimmed } }, now);
    }
    return accountView(await getAccount(tx, actor.accountId), actor.role);
  });
}

/** The account's IP allowlist (empty: every address may use its keys). */
export async function allowlistOf(store: Store, accountId: string): Promise<{ data: string[] }> {
  return { data: JSON.parse((await getAccount(store, accountId)).ip_allowlist) as string[] };
}

/**
 * Adds an address or CIDR range to the allowlist, or removes one (404 when it is not there),
 * audited: changeAllowlist, the CLI's, joins this transaction.
 */
export async function editAllowlist({ store, clock }: Deps, actor: AuditActor, accountId: string, op: 'add' | 'remove', entry: string): Promise<{ data: string[] }> {
  return store.transaction(async (tx) => {
    const before = JSON.parse((await getAccount(tx, accountId)).ip_allowlist) as string[];
    const after = await changeAllowlist({ store: tx, clock }, accountId, op, entry);
    if (after.length !== before.length) {
      await audit(tx, actor, { accountId, action: `allowlist.${op}`, target: normaliseAllowlistEntry(entry), before, after }, clock.now());
    }
    return { data: after };
  });
}
