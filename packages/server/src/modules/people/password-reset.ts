import { AppError } from '../../lib/errors.ts';
import type { Deps } from '../deps.ts';
import { countFlowAttempt } from './attempts.ts';
import type { PeopleDeps } from './deps.ts';
import { passwordResetEmail } from './emails.ts';
import { checkPassword } from './passwords.ts';
import { selfActor } from './signup.ts';
import { issueToken, linkTo, openToken, spendToken } from './tokens.ts';
import { normaliseEmail, setPassword } from './users.ts';

/** The answer to a reset request, whether or not the address has a user. */
export const RESET_REQUESTED = { status: 'check_your_email' } as const;

/**
 * "Forgot password": when the address has a user, a single-use link valid for
 * settings.passwordResetTtlMs, which voids the links sent before it. Limited per client address and
 * per email; the answer is the same either way, and so is its timing: whether there is a user,
 * and the link and its email, are worked out after the answer (people.later).
 */
export async function requestPasswordReset(deps: Deps, people: PeopleDeps, rawEmail: string, ip: string): Promise<typeof RESET_REQUESTED> {
  const email = normaliseEmail(rawEmail);
  await countFlowAttempt(people, 'reset', ip, email);
  people.later.run(() => sendResetLink(deps, people, email));
  return RESET_REQUESTED;
}

async function sendResetLink({ store, clock }: Deps, people: PeopleDeps, email: string): Promise<void> {
  const user = await store.users.byEmail(email);
  if (!user) return;
  const now = clock.now();
  const ttl = people.settings.passwordResetTtlMs;
  const { secret } = await store.transaction(async (tx) => {
    await tx.userTokens.voidFor('password_reset', user.id, now);
    return issueToken(tx, { kind: 'password_reset', userId: user.id, email }, ttl, now);
  });
  await people.mail.send(passwordResetEmail(email, linkTo(people.settings, 'reset-password', secret), ttl));
}

/**
 * Spends a reset link on a new password. Every session of the user ends (setPassword), so
 * whoever knew the old password is signed out; they sign in again with the new one.
 */
export async function confirmPasswordReset(deps: Deps, token: string, password: string, ip: string): Promise<{ status: 'password_changed' }> {
  const { store, clock } = deps;
  const now = clock.now();
  const row = await openToken(store, 'password_reset', token, now);
  // Before spending the link: a password too short should not cost the user their link.
  checkPassword(password);
  const user = row.user_id ? await store.users.get(row.user_id) : undefined;
  if (!user) throw new AppError('token_invalid');
  // The link is spent in the password's own transaction: a failure leaves both as they were.
  await setPassword(deps, selfActor(user, ip), user.id, password, (tx) => spendToken(tx, row, now));
  return { status: 'password_changed' };
}
