import { parsePhoneNumberFromString } from '../../lib/phone-metadata.ts';
import { AppError } from '../../lib/errors.ts';
import { rfc3339 } from '../../lib/time.ts';
import type { Store } from '../../store/store.ts';
import { recordEvents } from '../webhooks/events.ts';
import type { OtpDeps } from './deps.ts';

const HOUR_MS = 3_600_000;

/** A wait in whole seconds for Retry-After: rounded up, and at least 1. */
export const retrySeconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * The per-source-address and per-destination send limits (SPEC §2: on top of the per-key one).
 * Both count per account, so one tenant's traffic never spends another's allowance.
 */
export async function enforceSendLimit(deps: OtpDeps, kind: 'ip' | 'destination', accountId: string, subject: string): Promise<void> {
  const limit = kind === 'ip' ? deps.settings.perIpPerHour : deps.settings.perDestinationPerHour;
  const d = await deps.rateLimiter.hit(`otp:${kind}:${accountId}:${subject}`, limit, HOUR_MS);
  if (d.allowed) return;
  const what = kind === 'ip' ? `from the address ${subject}` : `to ${subject}`;
  throw new AppError('rate_limited', `At most ${limit} codes per hour may be sent ${what}; retry in ${d.retryAfterSeconds} s`, {
    headers: { 'retry-after': String(d.retryAfterSeconds) },
  });
}

/** The destination's country (ISO 3166-1 alpha-2), or null for numbers of no single country. */
export function countryOf(e164: string): string | null {
  return parsePhoneNumberFromString(e164)?.country ?? null;
}

/** Geo permissions: an account with a country list may send codes only to numbers of those countries. */
export async function enforceCountry(store: Store, accountId: string, e164: string): Promise<void> {
  const allowed = await store.otp.allowedCountries(accountId);
  if (allowed === null) return;
  const country = countryOf(e164);
  if (country !== null && allowed.includes(country)) return;
  const which = country === null ? `${e164} (a number of no single country)` : `${country} numbers`;
  throw new AppError(
    'country_not_allowed',
    `Codes to ${which} are not allowed for this account; allowed: ${allowed.length ? allowed.join(', ') : 'none'}`,
  );
}

/** The prefix the pumping defence watches: the first digits of the E.164 number, country code included. */
export function pumpingPrefix(e164: string, digits: number): string {
  return e164.replace(/^\+/, '').slice(0, digits);
}

function blockedError(prefix: string, until: number, reason: string, now: number): AppError {
  return new AppError('otp_prefix_blocked', `Sends to +${prefix}… are paused until ${rfc3339(until)}: ${reason}`, {
    headers: { 'retry-after': String(retrySeconds(until - now)) },
  });
}

/**
 * Refuses a send to a prefix the defence has paused. Otherwise answers since when the prefix's
 * sends count: the window, or the end of its last block if later — a block that ended (or that
 * an operator lifted) starts the count afresh instead of tripping again on the same figures.
 */
export async function enforcePrefixOpen(store: Store, deps: OtpDeps, accountId: string, prefix: string, now: number): Promise<number> {
  const block = await store.otp.block(accountId, prefix);
  if (block && block.blocked_until > now) throw blockedError(prefix, block.blocked_until, block.reason, now);
  return Math.max(now - deps.settings.pumping.windowSeconds * 1000, block?.blocked_until ?? 0);
}

/**
 * SMS pumping: fraudsters make a sign-up form send codes to number ranges that pay them per
 * message, and never enter a code. When this send would take a prefix's sends in the window to
 * the threshold while the share of them verified stays under the minimum, the prefix is paused
 * for the account: the block is stored with its reason and an `otp.prefix_blocked` event, both
 * committed, and this send is refused with the same explanation.
 */
export async function tripPumpingDefence(store: Store, deps: OtpDeps, accountId: string, prefix: string, since: number, now: number): Promise<void> {
  const p = deps.settings.pumping;
  if (p.minSends === 0 || p.minApprovalPercent === 0) return;
  const stats = await store.otp.prefixStats(accountId, prefix, since);
  const sends = stats.sends + 1;
  if (sends < p.minSends || stats.approvals * 100 >= p.minApprovalPercent * sends) return;
  const percent = Math.floor((stats.approvals * 100) / sends);
  const minutes = Math.round(p.windowSeconds / 60);
  const reason =
    `${sends} codes sent to +${prefix}… in the last ${minutes} min and ${stats.approvals} verified (${percent}%), ` +
    `under the ${p.minApprovalPercent}% expected — suspected SMS pumping`;
  const until = now + p.blockSeconds * 1000;
  await store.transaction(async (tx) => {
    await tx.otp.addBlock({ account_id: accountId, prefix, blocked_until: until, sends, approvals: stats.approvals, reason, created_at: now });
    await recordEvents(
      tx,
      [
        {
          accountId,
          type: 'otp.prefix_blocked',
          data: {
            prefix: `+${prefix}`,
            blocked_until: rfc3339(until),
            window_seconds: p.windowSeconds,
            sends,
            approvals: stats.approvals,
            min_sends: p.minSends,
            min_approval_percent: p.minApprovalPercent,
            reason,
          },
        },
      ],
      now,
    );
  });
  throw blockedError(prefix, until, reason, now);
}
