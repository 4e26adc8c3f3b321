import { AppError } from '../../lib/errors.ts';
import { hashSecret } from '../../lib/secrets.ts';
import type { SessionRow } from '../../store/repos/sessions.ts';
import type { UserRow } from '../../store/repos/users.ts';
import type { Deps } from '../deps.ts';
import type { PeopleDeps } from './deps.ts';
import { passwordMatches } from './passwords.ts';
import { spendRecoveryCode, spendTotpCode } from './second-factor.ts';
import { openSession } from './sessions.ts';
import { normaliseEmail } from './users.ts';

export interface LoginInput {
  email: string;
  password: string;
  /** The authenticator's code, when the user turned the second factor on… */
  totp_code?: string;
  /** …or one of their recovery codes instead (each works once). */
  recovery_code?: string;
}

/** Counts one attempt against the client address and against the email; refuses past either limit. */
async function countAttempt(people: PeopleDeps, ip: string, email: string): Promise<void> {
  const { settings, limiter } = people;
  const [byIp, byEmail] = await Promise.all([
    limiter.hit(`login:ip:${ip}`, settings.loginPerIp, settings.loginWindowMs),
    // Hashed: the limiter's keys (in Redis, say) should not be a list of addresses.
    limiter.hit(`login:email:${hashSecret(email)}`, settings.loginPerEmail, settings.loginWindowMs),
  ]);
  const refused = [byIp, byEmail].filter((d) => !d.allowed);
  if (refused.length > 0) {
    const wait = Math.max(...refused.map((d) => d.retryAfterSeconds));
    throw new AppError('rate_limited', `Too many sign-in attempts; retry in ${wait} s`, { headers: { 'retry-after': String(wait) } });
  }
}

const BAD_LOGIN = 'Invalid email or password';

/** Spends the user's second factor: a current TOTP code, or an unused recovery code (then gone). */
async function secondFactor({ store }: Deps, user: UserRow, input: LoginInput, now: number): Promise<void> {
  if (input.totp_code === undefined && input.recovery_code === undefined) {
    throw new AppError('totp_required');
  }
  if (input.totp_code !== undefined && (await spendTotpCode(store, user, input.totp_code, now))) return;
  if (input.recovery_code !== undefined && (await spendRecoveryCode(store, user, input.recovery_code, now))) return;
  throw new AppError('invalid_credentials', 'Invalid authentication code');
}

/**
 * Signs a person in: limits, password (argon2id; an unknown email costs the same time and gets
 * the same answer as a wrong password), the second factor when on, then a new session.
 */
export async function login(
  deps: Deps,
  people: PeopleDeps,
  input: LoginInput,
  client: { ip: string; userAgent: string | null },
): Promise<{ secret: string; session: SessionRow; user: UserRow }> {
  // As users are stored (punycode domains…); an address that cannot be one is looked up as typed and found by no one.
  let email: string;
  try {
    email = normaliseEmail(input.email);
  } catch {
    email = input.email.trim().toLowerCase();
  }
  await countAttempt(people, client.ip, email);
  const user = (await deps.store.users.byEmail(email)) ?? null;
  const ok = await passwordMatches(user?.password_hash ?? null, input.password);
  if (!user || !ok) throw new AppError('invalid_credentials', BAD_LOGIN);
  const now = deps.clock.now();
  if (user.totp_enabled_at !== null) await secondFactor(deps, user, input, now);
  const { secret, session } = await openSession(deps, people.settings, user.id, client);
  return { secret, session, user };
}
