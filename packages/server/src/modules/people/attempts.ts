import { AppError } from '../../lib/errors.ts';
import { hashSecret } from '../../lib/secrets.ts';
import type { PeopleDeps } from './deps.ts';

/**
 * Counts one request of a public flow (sign-up, password reset) against the client address and
 * against the email, with the sign-in limits (HELLIO_LOGIN_*) but counters of its own; refuses
 * past either. Unknown emails are counted like known ones, so a refusal tells nothing.
 */
export async function countFlowAttempt(people: PeopleDeps, flow: string, ip: string, email: string): Promise<void> {
  const { settings, limiter } = people;
  const [byIp, byEmail] = await Promise.all([
    limiter.hit(`${flow}:ip:${ip}`, settings.loginPerIp, settings.loginWindowMs),
    // Hashed: the limiter's keys (in Redis, say) should not be a list of addresses.
    limiter.hit(`${flow}:email:${hashSecret(email)}`, settings.loginPerEmail, settings.loginWindowMs),
  ]);
  const refused = [byIp, byEmail].filter((d) => !d.allowed);
  if (refused.length > 0) {
    const wait = Math.max(...refused.map((d) => d.retryAfterSeconds));
    throw new AppError('rate_limited', `Too many requests; retry in ${wait} s`, { headers: { 'retry-after': String(wait) } });
  }
}

/** Counts one check of a signed-in person's password or code (turning TOTP off, new recovery codes); refuses past the per-email limit. */
export async function countUserAttempt(people: PeopleDeps, flow: string, userId: string): Promise<void> {
  const { settings, limiter } = people;
  const d = await limiter.hit(`${flow}:user:${userId}`, settings.loginPerEmail, settings.loginWindowMs);
  if (!d.allowed) {
    throw new AppError('rate_limited', `Too many attempts; retry in ${d.retryAfterSeconds} s`, { headers: { 'retry-after': String(d.retryAfterSeconds) } });
  }
}

/** Invitations one account may send an hour: enough for a team, too few to spam with the platform's mail. */
export const INVITATIONS_PER_HOUR = 30;

/** Counts one invitation of the account; refuses past INVITATIONS_PER_HOUR. */
export async function countInvitation(people: PeopleDeps, accountId: string): Promise<void> {
  const d = await people.limiter.hit(`invite:account:${accountId}`, INVITATIONS_PER_HOUR, 3_600_000);
  if (!d.allowed) {
    throw new AppError('rate_limited', `At most ${INVITATIONS_PER_HOUR} invitations an hour; retry in ${d.retryAfterSeconds} s`, {
      headers: { 'retry-after': String(d.retryAfterSeconds) },
    });
  }
}
