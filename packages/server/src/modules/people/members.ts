import { AppError, notFound } from '../../lib/errors.ts';
import type { MembershipRow, MemberWithUser } from '../../store/repos/users.ts';
import type { Store } from '../../store/store.ts';
import type { Deps } from '../deps.ts';
import type { AccountActor } from './actor.ts';
import { audit } from './audit.ts';
import type { Role } from './roles.ts';

/** A member of an account as the API shows them. */
export function memberView(m: MemberWithUser) {
  return { user_id: m.user_id, email: m.email, name: m.name, role: m.role, joined_at: new Date(m.created_at).toISOString() };
}

/** An account's members with their roles, oldest first. */
export async function listMembers(store: Store, accountId: string) {
  return { data: (await store.users.membersOf(accountId)).map(memberView) };
}

/** Refuses a change that touches ownership (granting it, or changing or removing an owner) unless an owner makes it. */
export function checkOwnership(actor: AccountActor, touchesOwner: boolean): void {
  if (touchesOwner && actor.role !== 'owner') throw new AppError('forbidden', 'Only an owner may grant, change or remove the owner role');
}

/** The membership being changed, and the account's owners locked for the transaction. */
async function target(tx: Store, accountId: string, userId: string): Promise<{ member: MembershipRow; owners: string[] }> {
  // Owners first, always: every change of members takes the same locks in the same order.
  const owners = await tx.users.ownersForUpdate(accountId);
  const member = await tx.users.membership(accountId, userId);
  if (!member) throw notFound('Member');
  return { member, owners };
}

const LAST_OWNER = 'An account keeps at least one owner: make someone else owner first';

async function shown(tx: Store, accountId: string, userId: string) {
  const m = (await tx.users.membersOf(accountId)).find((x) => x.user_id === userId);
  if (!m) throw notFound('Member');
  return memberView(m);
}

/**
 * Changes a member's role. Only an owner grants or takes away `owner`; an admin manages the
 * other roles; the last owner cannot be demoted (409 conflict).
 */
export async function changeRole({ store, clock }: Deps, actor: AccountActor, userId: string, role: Role) {
  const now = clock.now();
  return store.transaction(async (tx) => {
    const { member, owners } = await target(tx, actor.accountId, userId);
    checkOwnership(actor, role === 'owner' || member.role === 'owner');
    if (member.role === role) return shown(tx, actor.accountId, userId);
    if (member.role === 'owner' && owners.length <= 1) throw new AppError('conflict', LAST_OWNER);
    await tx.users.setRole(actor.accountId, userId, role);
    await audit(tx, actor, { accountId: actor.accountId, action: 'member.role', target: userId, before: { role: member.role }, after: { role } }, now);
    return shown(tx, actor.accountId, userId);
  });
}

/** Removes a member from the account (their user stays); the same ownership rules as changeRole. */
export async function removeMember({ store, clock }: Deps, actor: AccountActor, userId: string): Promise<{ user_id: string; removed: true }> {
  const now = clock.now();
  return store.transaction(async (tx) => {
    const { member, owners } = await target(tx, actor.accountId, userId);
    checkOwnership(actor, member.role === 'owner');
    if (member.role === 'owner' && owners.length <= 1) throw new AppError('conflict', LAST_OWNER);
    const user = await tx.users.get(userId);
    await tx.users.removeMembership(actor.accountId, userId);
    await audit(tx, actor, { accountId: actor.accountId, action: 'member.remove', target: userId, before: { email: user?.email ?? null, role: member.role } }, now);
    return { user_id: userId, removed: true as const };
  });
}
