import { AppError, notFound, validationError } from '../../lib/errors.ts';
import type { SessionRow } from '../../store/repos/sessions.ts';
import type { UserTokenRow } from '../../store/repos/user-tokens.ts';
import type { UserRow } from '../../store/repos/users.ts';
import type { Store } from '../../store/store.ts';
import { getAccount } from '../access/accounts.ts';
import type { Deps } from '../deps.ts';
import { countInvitation } from './attempts.ts';
import type { AccountActor } from './actor.ts';
import { audit } from './audit.ts';
import type { PeopleDeps } from './deps.ts';
import { invitationEmail } from './emails.ts';
import { login } from './login.ts';
import { checkOwnership } from './members.ts';
import { isRole, type Role } from './roles.ts';
import { openSession } from './sessions.ts';
import { selfActor } from './signup.ts';
import { issueToken, linkTo, openToken, spendToken } from './tokens.ts';
import { insertUser, normaliseEmail, prepareUser } from './users.ts';

/** An open invitation as the API shows it (never its token, which only the email carries). */
export function invitationView(r: UserTokenRow) {
  return {
    id: r.id,
    email: r.email,
    role: r.role,
    invited_by: r.created_by,
    created_at: new Date(r.created_at).toISOString(),
    expires_at: new Date(r.expires_at).toISOString(),
  };
}

/**
 * Invites an address into the actor's account with a role: an email with a single-use link valid
 * for settings.invitationTtlMs. A new invitation to the same address replaces the open one. Only
 * an owner may invite an owner.
 */
export async function invite(deps: Deps, people: PeopleDeps, actor: AccountActor, input: { email: string; role: string }) {
  const email = normaliseEmail(input.email);
  if (!isRole(input.role)) throw validationError([{ field: 'role', message: 'must be owner, admin, developer or viewer' }]);
  const role: Role = input.role;
  checkOwnership(actor, role === 'owner');
  const { store, clock } = deps;
  // The platform's mail carries the inviter's words (the account's name) to any address: only
  // people whose own address is verified, in an active account, and a few an hour.
  if (!actor.operator) {
    if ((await store.users.get(actor.userId))?.email_verified_at == null) throw new AppError('forbidden', 'Verify your email address before inviting anyone');
    if ((await getAccount(store, actor.accountId)).status !== 'active') throw new AppError('account_not_active', 'Invitations can be sent once the account is active');
  }
  await countInvitation(people, actor.accountId);
  const now = clock.now();
  const ttl = people.settings.invitationTtlMs;
  const { secret, row, accountName } = await store.transaction(async (tx) => {
    const account = await getAccount(tx, actor.accountId);
    const user = await tx.users.byEmail(email);
    if (user && (await tx.users.membership(account.id, user.id))) throw new AppError('conflict', `${email} is already a member of this account`);
    await tx.userTokens.voidInvitationsTo(account.id, email, now);
    const issued = await issueToken(tx, { kind: 'invitation', accountId: account.id, email, role, createdBy: actor.userId }, ttl, now);
    await audit(tx, actor, { accountId: account.id, action: 'member.invite', target: issued.row.id, after: { email, role, expires_at: new Date(issued.row.expires_at).toISOString() } }, now);
    return { ...issued, accountName: account.name };
  });
  const link = linkTo(people.settings, 'accept-invitation', secret);
  await people.mail.send(invitationEmail(email, { inviter: actor.email, accountName, role, link, ttlMs: ttl }));
  return invitationView(row);
}

/** The account's invitations that are neither accepted, revoked nor expired, newest first. */
export async function listInvitations({ store, clock }: Deps, accountId: string) {
  return { data: (await store.userTokens.openInvitations(accountId, clock.now())).map(invitationView) };
}

/** Withdraws an open invitation; another account's (or a spent one) answers 404. */
export async function revokeInvitation({ store, clock }: Deps, actor: AccountActor, id: string): Promise<{ id: string; revoked: true }> {
  const now = clock.now();
  return store.transaction(async (tx) => {
    const row = await tx.userTokens.get(id);
    if (!row || !(await tx.userTokens.revokeInvitation(actor.accountId, id, now))) throw notFound('Invitation');
    await audit(tx, actor, { accountId: actor.accountId, action: 'member.invite.revoke', target: id, before: { email: row.email, role: row.role } }, now);
    return { id, revoked: true as const };
  });
}

export interface AcceptInput {
  token: string;
  /** A new user's password; or an existing user's, when they are not signed in. */
  password?: string;
  name?: string;
  totp_code?: string;
  recovery_code?: string;
}

/** Spends the invitation and makes the membership (in the caller's transaction). */
async function join(tx: Store, invitation: UserTokenRow, user: UserRow, ip: string, now: number): Promise<void> {
  await spendToken(tx, invitation, now);
  await getAccount(tx, invitation.account_id ?? '').catch(() => {
    throw new AppError('token_invalid');
  });
  if (await tx.users.membership(invitation.account_id!, user.id)) throw new AppError('conflict', 'You are already a member of this account');
  const role = invitation.role ?? 'viewer';
  await tx.users.addMembership({ account_id: invitation.account_id!, user_id: user.id, role, created_at: now });
  // Following the link proved the address.
  if (user.email_verified_at === null) await tx.users.update(user.id, { email_verified_at: now, updated_at: now });
  await audit(tx, selfActor(user, ip), { accountId: invitation.account_id, action: 'member.join', target: user.id, after: { email: user.email, role, invitation: invitation.id, invited_by: invitation.created_by } }, now);
}

/**
 * Accepts an invitation. An address without a user gets one (the password is required; the
 * address counts as verified) and is signed in. An existing user must be signed in as themselves
 * (`signedInUserId`) or sign in here with their password (and second factor, through `login`, with
 * its limits). Answers the user and the session opened for them, if one was.
 */
export async function acceptInvitation(
  deps: Deps,
  people: PeopleDeps,
  input: AcceptInput,
  signedInUserId: string | null,
  client: { ip: string; userAgent: string | null },
): Promise<{ user: UserRow; opened: { secret: string; session: SessionRow } | null }> {
  const { store, clock } = deps;
  const now = clock.now();
  const invitation = await openToken(store, 'invitation', input.token, now);
  const email = invitation.email ?? '';
  const existing = await store.users.byEmail(email);

  if (!existing) {
    if (input.password === undefined) throw validationError([{ field: 'password', message: 'is required to create your user' }]);
    const row = await prepareUser({ email, password: input.password, name: input.name ?? null, emailVerified: true }, now);
    await store.transaction(async (tx) => {
      await insertUser(tx, row);
      await join(tx, invitation, row, client.ip, now);
    });
    return { user: row, opened: await openSession(deps, people.settings, row.id, client) };
  }

  let opened: { secret: string; session: SessionRow } | null = null;
  if (signedInUserId !== existing.id) {
    if (input.password === undefined) {
      if (signedInUserId !== null) throw new AppError('forbidden', 'This invitation is for another address: sign in as its user, or give their password');
      throw new AppError('not_signed_in', 'Sign in as the invited user, or give their password');
    }
    const signed = await login(deps, people, { email, password: input.password, ...pick(input) }, client);
    opened = { secret: signed.secret, session: signed.session };
  }
  await store.transaction(async (tx) => join(tx, invitation, existing, client.ip, now));
  return { user: existing, opened };
}

function pick(input: AcceptInput): { totp_code?: string; recovery_code?: string } {
  return {
    ...(input.totp_code !== undefined ? { totp_code: input.totp_code } : {}),
    ...(input.recovery_code !== undefined ? { recovery_code: input.recovery_code } : {}),
  };
}
