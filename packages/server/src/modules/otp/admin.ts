import { isSupportedCountry } from '../../lib/phone-metadata.ts';
import { validationError } from '../../lib/errors.ts';
import { rfc3339 } from '../../lib/time.ts';
import type { OtpBlockRow } from '../../store/repos/otp.ts';
import type { Store } from '../../store/store.ts';
import { getAccount } from '../access/accounts.ts';
import type { Deps } from '../deps.ts';

/**
 * Sets the destination countries an account may send codes to ("US,GB"); "all" lifts the
 * restriction. Answers the list now in force (null = every country).
 */
export async function setOtpCountries({ store, clock }: Deps, accountId: string, text: string): Promise<string[] | null> {
  await getAccount(store, accountId);
  if (text.trim().toLowerCase() === 'all') {
    await store.otp.setAllowedCountries(accountId, null, clock.now());
    return null;
  }
  const codes = [...new Set(text.split(/[\s,]+/).filter(Boolean).map((c) => c.toUpperCase()))];
  const unknown = codes.filter((c) => !/^[A-Z]{2}$/.test(c) || !isSupportedCountry(c));
  if (codes.length === 0 || unknown.length > 0) {
    throw validationError([
      { field: 'allow', message: unknown.length ? `not ISO 3166-1 alpha-2 countries with phone numbers: ${unknown.join(', ')}` : 'name at least one country, or "all"' },
    ]);
  }
  codes.sort();
  await store.otp.setAllowedCountries(accountId, codes, clock.now());
  return codes;
}

export async function otpCountries(store: Store, accountId: string): Promise<string[] | null> {
  await getAccount(store, accountId);
  return store.otp.allowedCountries(accountId);
}

export function blockView(b: OtpBlockRow) {
  return { prefix: `+${b.prefix}`, blocked_until: rfc3339(b.blocked_until), sends: b.sends, approvals: b.approvals, reason: b.reason, blocked_at: rfc3339(b.created_at) };
}

/** The prefixes the pumping defence has paused for an account, now. */
export async function otpBlocks({ store, clock }: Deps, accountId: string) {
  await getAccount(store, accountId);
  return (await store.otp.blocks(accountId, clock.now())).map(blockView);
}

/** Lifts a pause early (the operator judged the traffic genuine); false when none was in force. */
export async function liftOtpBlock({ store, clock }: Deps, accountId: string, prefix: string): Promise<boolean> {
  await getAccount(store, accountId);
  const digits = prefix.trim().replace(/^\+/, '');
  if (!/^\d{1,15}$/.test(digits)) throw validationError([{ field: 'prefix', message: 'must be digits such as +447911' }]);
  return store.otp.endBlock(accountId, digits, clock.now());
}
