import { randomBytes } from 'node:crypto';
import { AppError } from '../../lib/errors.ts';
import { hashSecret } from '../../lib/secrets.ts';
import { newTotpSecret, totpUri } from '../../lib/totp.ts';
import type { UserRow } from '../../store/repos/users.ts';
import type { Store } from '../../store/store.ts';
import type { Deps } from '../deps.ts';
import type { Actor } from './actor.ts';
import { countUserAttempt } from './attempts.ts';
import { audit } from './audit.ts';
import type { PeopleDeps } from './deps.ts';
import { passwordMatches } from './passwords.ts';
import { spendRecoveryCode, spendTotpCode } from './second-factor.ts';

/** The name authenticator apps show beside the account. */
const ISSUER = 'Hellio';
/** Recovery codes handed out at once. */
export const RECOVERY_CODES = 10;
// Crockford's base32 (no i, l, o, u: nothing to misread); 32 symbols, so a byte maps without bias.
const CODE_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A recovery code: sixteen random characters as "xxxx-xxxx-xxxx-xxxx" (80 bits; each works once).
 * Stored as one SHA-256 (login.ts compares so), which 80 random bits make as hard to reverse as a
 * slow hash of a shorter code.
 */
function recoveryCode(): string {
  const chars = [...randomBytes(16)].map((b) => CODE_ALPHABET[b & 31]).join('');
  return chars.match(/.{4}/g)!.join('-');
}

/** New recovery codes, and their stored form: SHA-256 of each, as login.ts compares them (trimmed, lower case). */
function newRecoveryCodes(): { codes: string[]; stored: string } {
  const codes = Array.from({ length: RECOVERY_CODES }, recoveryCode);
  return { codes, stored: JSON.stringify(codes.map((c) => hashSecret(c.trim().toLowerCase()))) };
}

async function userOf(store: Store, userId: string): Promise<UserRow> {
  const user = await store.users.get(userId);
  // The session hook found them a moment ago.
  if (!user) throw new AppError('not_signed_in');
  return user;
}

const BAD_CODE = 'Invalid authentication code';

/**
 * Whether `code` is the user's current TOTP code or one of their unused recovery codes (which is
 * then spent, in `tx`).
 */
async function codeMatches(tx: Store, user: UserRow, code: string, now: number): Promise<boolean> {
  return (await spendTotpCode(tx, user, code, now)) || (await spendRecoveryCode(tx, user, code, now));
}

/**
 * Starts turning the second factor on: a new secret, kept as pending until a code from it is
 * entered (enableTotp). Answers the secret and the otpauth:// URI for the authenticator app.
 */
export async function beginTotp({ store, clock }: Deps, actor: Actor): Promise<{ secret: string; otpauth_uri: string }> {
  const user = await userOf(store, actor.userId);
  if (user.totp_enabled_at !== null) throw new AppError('conflict', 'The second factor is already on: turn it off first');
  const secret = newTotpSecret();
  await store.users.update(user.id, { totp_secret: secret, updated_at: clock.now() });
  return { secret, otpauth_uri: totpUri(secret, user.email, ISSUER) };
}

/** Turns the pending second factor on with a code from it; answers the recovery codes (shown this once). */
export async function enableTotp(deps: Deps, people: PeopleDeps, actor: Actor, code: string): Promise<{ recovery_codes: string[] }> {
  const { store, clock } = deps;
  await countUserAttempt(people, 'totp', actor.userId);
  const now = clock.now();
  const user = await userOf(store, actor.userId);
  if (user.totp_enabled_at !== null) throw new AppError('conflict', 'The second factor is already on');
  if (user.totp_secret === null) throw new AppError('conflict', 'Start with POST /auth/totp/setup');
  // Spent as it turns the factor on: the same code cannot then also sign in.
  if (!(await spendTotpCode(store, user, code, now))) throw new AppError('invalid_credentials', BAD_CODE);
  const { codes, stored } = newRecoveryCodes();
  await store.transaction(async (tx) => {
    await tx.users.update(user.id, { totp_enabled_at: now, recovery_codes: stored, updated_at: now });
    await audit(tx, actor, { accountId: null, action: 'user.totp.enable', target: user.id, before: { totp_enabled: false }, after: { totp_enabled: true } }, now);
  });
  return { recovery_codes: codes };
}

/** Turns the second factor off: needs the password and a current code (or a recovery code). */
export async function disableTotp(deps: Deps, people: PeopleDeps, actor: Actor, input: { password: string; code: string }): Promise<{ totp_enabled: false }> {
  const { store, clock } = deps;
  await countUserAttempt(people, 'totp', actor.userId);
  const user = await userOf(store, actor.userId);
  if (user.totp_enabled_at === null) throw new AppError('conflict', 'The second factor is not on');
  if (!(await passwordMatches(user.password_hash, input.password))) throw new AppError('invalid_credentials', 'Invalid password');
  const now = clock.now();
  await store.transaction(async (tx) => {
    if (!(await codeMatches(tx, user, input.code, now))) throw new AppError('invalid_credentials', BAD_CODE);
    await tx.users.update(user.id, { totp_secret: null, totp_enabled_at: null, recovery_codes: '[]', updated_at: now });
    await audit(tx, actor, { accountId: null, action: 'user.totp.disable', target: user.id, before: { totp_enabled: true }, after: { totp_enabled: false } }, now);
  });
  return { totp_enabled: false };
}

/** Replaces every recovery code with ten new ones (shown this once); needs a current code. */
export async function regenerateRecoveryCodes(deps: Deps, people: PeopleDeps, actor: Actor, code: string): Promise<{ recovery_codes: string[] }> {
  const { store, clock } = deps;
  await countUserAttempt(people, 'totp', actor.userId);
  const user = await userOf(store, actor.userId);
  if (user.totp_enabled_at === null) throw new AppError('conflict', 'The second factor is not on');
  const now = clock.now();
  const { codes, stored } = newRecoveryCodes();
  await store.transaction(async (tx) => {
    if (!(await codeMatches(tx, user, code, now))) throw new AppError('invalid_credentials', BAD_CODE);
    await tx.users.update(user.id, { recovery_codes: stored, updated_at: now });
    await audit(tx, actor, { accountId: null, action: 'user.totp.recovery_codes', target: user.id }, now);
  });
  return { recovery_codes: codes };
}
