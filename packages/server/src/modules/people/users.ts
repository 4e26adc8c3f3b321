import { AppError, notFound, validationError } from '../../lib/errors.ts';
import { parseMailbox } from '../../lib/email-address.ts';
import { newId } from '../../lib/ids.ts';
import type { UserRow } from '../../store/repos/users.ts';
import type { Store } from '../../store/store.ts';
import { getAccount } from '../access/accounts.ts';
import type { Deps } from '../deps.ts';
import type { AuditActor } from './actor.ts';
import { audit } from './audit.ts';
import { checkPassword, hashPassword } from './passwords.ts';
import { isRole, type Role } from './roles.ts';

/** An email as users are keyed by it: a bare address, lower case. Throws validation_failed otherwise. */
export function normaliseEmail(email: string): string {
  const mb = parseMailbox(email.trim());
  if (!mb || mb.name || email.includes('<')) throw validationError([{ field: 'email', message: 'must be an email address' }]);
  return mb.address.toLowerCase();
}

export interface NewUser {
  email: string;
  password: string;
  name?: string | null;
  operator?: boolean;
  /** Makes the user a member of this account… */
  accountId?: string;
  /** …with this role (owner when omitted). */
  role?: Role;
  /** Whether the address is known to be theirs (created by an operator: yes; signed up: not yet). */
  emailVerified?: boolean;
}

/** A person about to be created by a public flow (first run, sign-up, an accepted invitation). */
export interface NewPerson {
  email: string;
  password: string;
  name?: string | null | undefined;
  operator?: boolean;
  /** Whether the address is known to be theirs already (an invitation or the setup link proved it). */
  emailVerified: boolean;
}

/**
 * The row of a new user, password hashed. Done before the transaction that inserts it: argon2id
 * takes tens of milliseconds, which a transaction should not hold the database for.
 */
export async function prepareUser(input: NewPerson, now: number): Promise<UserRow> {
  const email = normaliseEmail(input.email);
  checkPassword(input.password);
  return {
    id: newId('usr'),
    email,
    name: input.name?.trim() || null,
    password_hash: await hashPassword(input.password),
    operator: input.operator ? 1 : 0,
    email_verified_at: input.emailVerified ? now : null,
    totp_secret: null,
    totp_enabled_at: null,
    totp_last_step: null,
    recovery_codes: '[]',
    created_at: now,
    updated_at: now,
  };
}

/** Inserts a prepared user (in the caller's transaction); 409 conflict when the email is taken. */
export async function insertUser(tx: Store, row: UserRow): Promise<void> {
  if (await tx.users.byEmail(row.email)) throw new AppError('conflict', 'A user with this email already exists');
  await tx.users.insert(row);
}

/** Creates a user (and their membership); 409 conflict when the email is taken. */
export async function createUser({ store, clock }: Deps, actor: AuditActor, input: NewUser): Promise<UserRow> {
  const now = clock.now();
  const row = await prepareUser({ ...input, emailVerified: input.emailVerified !== false }, now);
  if (input.role !== undefined && !isRole(input.role)) throw validationError([{ field: 'role', message: 'must be owner, admin, developer or viewer' }]);
  if (input.role !== undefined && input.accountId === undefined) throw validationError([{ field: 'role', message: 'needs an account' }]);
  return store.transaction(async (tx) => {
    // The email first, then the account (as the answers have always been ordered); a refusal rolls the insert back.
    await insertUser(tx, row);
    if (input.accountId !== undefined) {
      await getAccount(tx, input.accountId);
      await tx.users.addMembership({ account_id: input.accountId, user_id: row.id, role: input.role ?? 'owner', created_at: now });
    }
    await audit(tx, actor, { accountId: input.accountId ?? null, action: 'user.create', target: row.id, after: { email: row.email, operator: row.operator === 1, role: input.accountId ? (input.role ?? 'owner') : null } }, now);
    return row;
  });
}

/** A user by id or email; 404 otherwise. */
export async function findUser(store: Store, idOrEmail: string): Promise<UserRow> {
  const row = idOrEmail.startsWith('usr_') ? await store.users.get(idOrEmail) : await store.users.byEmail(idOrEmail.trim().toLowerCase());
  if (!row) throw notFound('User');
  return row;
}

/** Sets a new password and ends every session of the user (a changed password locks out whoever else had it). */
export async function setPassword(
  { store, clock }: Deps,
  actor: AuditActor,
  userId: string,
  password: string,
  /** A guard that commits with the change (a reset link spent): throwing leaves the password as it was. */
  first?: (tx: Store) => Promise<void>,
): Promise<void> {
  checkPassword(password);
  const passwordHash = await hashPassword(password);
  const now = clock.now();
  await store.transaction(async (tx) => {
    await first?.(tx);
    if (!(await tx.users.update(userId, { password_hash: passwordHash, updated_at: now }))) throw notFound('User');
    await tx.sessions.revokeAll(userId, now, null);
    await tx.userTokens.voidFor('password_reset', userId, now);
    await audit(tx, actor, { accountId: null, action: 'user.password', target: userId }, now);
  });
}

/**
 * Grants or revokes the operator flag. The last operator keeps it (409 conflict): someone must be
 * left to run the platform — grant another user first.
 */
export async function setOperator({ store, clock }: Deps, actor: AuditActor, userId: string, operator: boolean): Promise<UserRow> {
  const now = clock.now();
  return store.transaction(async (tx) => {
    // Locked first, so that two operators revoking each other at once count one after the other.
    const operators = operator ? [] : await tx.users.lockOperators();
    const before = await tx.users.get(userId);
    if (!before) throw notFound('User');
    if (!operator && operators.length === 1 && operators[0] === userId) {
      throw new AppError('conflict', 'This is the last operator: grant another user the operator flag first');
    }
    await tx.users.update(userId, { operator: operator ? 1 : 0, updated_at: now });
    await audit(tx, actor, { accountId: null, action: operator ? 'user.operator.grant' : 'user.operator.revoke', target: userId, before: { operator: before.operator === 1 }, after: { operator } }, now);
    return (await tx.users.get(userId))!;
  });
}

/** A user as the API and the CLI show them (never the password hash or the TOTP secret). */
export function userView(u: UserRow) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    operator: u.operator === 1,
    email_verified: u.email_verified_at !== null,
    totp_enabled: u.totp_enabled_at !== null,
    created_at: new Date(u.created_at).toISOString(),
  };
}
