import { AppError, validationError } from '../../lib/errors.ts';
import type { UserRow } from '../../store/repos/users.ts';
import type { Store } from '../../store/store.ts';
import { createAccount } from '../access/accounts.ts';
import type { Deps } from '../deps.ts';
import type { AuditActor } from './actor.ts';
import { countFlowAttempt } from './attempts.ts';
import { audit } from './audit.ts';
import type { PeopleDeps } from './deps.ts';
import { signupAttemptEmail, verificationEmail } from './emails.ts';
import { issueToken, linkTo, openToken, spendToken } from './tokens.ts';
import { insertUser, normaliseEmail, prepareUser } from './users.ts';

export interface SignupInput {
  email: string;
  password: string;
  name?: string;
  account_name: string;
}

/** The answer of a sign-up, whether or not the address already had a user. */
export const CHECK_YOUR_EMAIL = { status: 'check_your_email' } as const;

/** The audit log's actor for a person acting on themselves through a public flow. */
export function selfActor(user: Pick<UserRow, 'id' | 'email' | 'operator'>, ip: string): AuditActor {
  return { userId: user.id, email: user.email, operator: user.operator === 1, ip };
}

/** Issues a verification link for the user (voiding older ones) and emails it. */
async function sendVerification(deps: Deps, people: PeopleDeps, user: UserRow, accountId: string | null): Promise<void> {
  const { store, clock } = deps;
  const now = clock.now();
  const { secret } = await store.transaction(async (tx) => {
    await tx.userTokens.voidFor('email_verification', user.id, now);
    return issueToken(tx, { kind: 'email_verification', userId: user.id, accountId }, people.settings.emailVerificationTtlMs, now);
  });
  await people.mail.send(verificationEmail(user.email, linkTo(people.settings, 'verify-email', secret), people.settings.emailVerificationTtlMs));
}

/** The pending account a user made when signing up (the one they own that still waits), if any. */
async function signupAccountOf(store: Store, userId: string): Promise<string | null> {
  const mine = await store.users.accountsOf(userId);
  return mine.find((m) => m.role === 'owner' && m.account_status === 'pending')?.account_id ?? null;
}

/**
 * A sign-up (HELLIO_SIGNUP): a user, and a pending account they own, and a verification email.
 * `open` activates the account when the address is confirmed; `approval` leaves that to an
 * operator; `closed` refuses. The answer and its cost (one argon2id hash, one email) are the same
 * whether or not the address already has a user: its owner gets an email saying so instead.
 */
export async function signUp(deps: Deps, people: PeopleDeps, input: SignupInput, ip: string): Promise<typeof CHECK_YOUR_EMAIL> {
  if (people.settings.signup === 'closed') throw new AppError('signup_closed');
  const email = normaliseEmail(input.email);
  const accountName = input.account_name.trim();
  if (!accountName) throw validationError([{ field: 'account_name', message: 'must not be empty' }]);
  await countFlowAttempt(people, 'signup', ip, email);
  const { store, clock } = deps;
  const now = clock.now();
  const row = await prepareUser({ email, password: input.password, name: input.name ?? null, emailVerified: false }, now);

  const created = await store
    .transaction(async (tx) => {
      await insertUser(tx, row);
      const account = await createAccount({ store: tx, clock }, accountName, 'pending');
      await tx.users.addMembership({ account_id: account.id, user_id: row.id, role: 'owner', created_at: now });
      await audit(tx, selfActor(row, ip), { accountId: account.id, action: 'user.signup', target: row.id, after: { email, account: account.id, status: 'pending', mode: people.settings.signup } }, now);
      return account.id;
    })
    // The address has a user (perhaps since a moment ago, by a sign-up racing this one).
    .catch(async (err: unknown) => {
      if (err instanceof AppError && err.code === 'conflict') return null;
      if (await store.users.byEmail(email)) return null;
      throw err;
    });

  if (created !== null) {
    await sendVerification(deps, people, row, created);
    return CHECK_YOUR_EMAIL;
  }
  const existing = (await store.users.byEmail(email))!;
  if (existing.email_verified_at === null) {
    // They signed up before and lost the email: a fresh link (their first password stands).
    await sendVerification(deps, people, existing, await signupAccountOf(store, existing.id));
  } else {
    await people.mail.send(signupAttemptEmail(email, `${people.settings.publicUrl}/dashboard/forgot-password`));
  }
  return CHECK_YOUR_EMAIL;
}

/**
 * Spends a verification link: the address is confirmed, and under `open` sign-up the pending
 * account made with it becomes active.
 */
export async function verifyEmail(deps: Deps, people: PeopleDeps, token: string, ip: string) {
  const { store, clock } = deps;
  const now = clock.now();
  const row = await openToken(store, 'email_verification', token, now);
  return store.transaction(async (tx) => {
    await spendToken(tx, row, now);
    const user = row.user_id ? await tx.users.get(row.user_id) : undefined;
    if (!user) throw new AppError('token_invalid');
    const actor = selfActor(user, ip);
    if (user.email_verified_at === null) {
      await tx.users.update(user.id, { email_verified_at: now, updated_at: now });
      await audit(tx, actor, { accountId: row.account_id, action: 'user.verify_email', target: user.id, after: { email: user.email } }, now);
    }
    let account = row.account_id ? await tx.accounts.get(row.account_id) : undefined;
    if (account && account.status === 'pending' && people.settings.signup === 'open') {
      await tx.accounts.update(account.id, { status: 'active', updated_at: now });
      await audit(tx, actor, { accountId: account.id, action: 'account.activate', target: account.id, before: { status: 'pending' }, after: { status: 'active', by: 'email_verification' } }, now);
      account = { ...account, status: 'active' };
    }
    return { verified: true as const, email: user.email, account: account ? { id: account.id, name: account.name, status: account.status } : null };
  });
}
