import { AppError, validationError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { parseMailbox } from '../../lib/email-address.ts';
import type { SuppressionRow } from '../../store/repos/suppressions.ts';
import type { SuppressionChannel, SuppressionSource } from '../../store/schema.ts';
import type { Store } from '../../store/store.ts';

/** The channels a suppression applies to. */
export const SUPPRESSION_CHANNELS: readonly SuppressionChannel[] = ['sms', 'email'];

/** What may put a recipient on the list. */
export const SUPPRESSION_SOURCES: readonly SuppressionSource[] = ['stop', 'bounce', 'complaint', 'manual', 'import'];

/** The longest free-text reason kept. */
export const MAX_REASON = 500;

/**
 * The canonical form of a recipient on a channel, or null when it is not one: SMS a number
 * written with its "+" (digits only), email the whole address lower-cased. Lower-casing the local
 * part too is deliberate: a STOP or a bounce for "Ada@X.com" must block "ada@x.com", and almost
 * no mail system treats the two as different people.
 */
export function normaliseRecipient(channel: SuppressionChannel, value: string): string | null {
  const t = value.trim();
  if (channel === 'sms') {
    const digits = t.replace(/[\s().-]/g, '');
    return /^\+[1-9]\d{5,14}$/.test(digits) ? digits : null;
  }
  const mb = parseMailbox(t);
  return mb ? mb.address.toLowerCase() : null;
}

/** What to add: whom, on which channel, from where, and optionally why. */
export interface SuppressionInput {
  accountId: string;
  channel: SuppressionChannel;
  /** Any written form; stored canonical (normaliseRecipient). */
  value: string;
  source: SuppressionSource;
  reason?: string | null;
}

/**
 * Puts a recipient on the account's list. Idempotent: when already listed the existing entry is
 * kept as it is (its first source stays: a bounce after a STOP is still the STOP) and returned
 * with `created: false`. Works on a transaction's store. 422 when the value is not a recipient.
 */
export async function addSuppression(store: Store, input: SuppressionInput, now: number): Promise<{ suppression: SuppressionRow; created: boolean }> {
  const value = normaliseRecipient(input.channel, input.value);
  if (value === null) throw validationError([{ field: 'value', message: input.channel === 'sms' ? 'must be an E.164 number (+447700900123)' : 'must be an email address' }]);
  const row: SuppressionRow = {
    id: newId('sup'),
    account_id: input.accountId,
    channel: input.channel,
    value,
    source: input.source,
    reason: input.reason?.slice(0, MAX_REASON) ?? null,
    created_at: now,
  };
  const created = await store.suppressions.insertIfAbsent(row);
  if (created) return { suppression: row, created };
  return { suppression: (await store.suppressions.find(input.accountId, input.channel, value))!, created };
}

/** Takes a recipient off the account's list; the removed entry, or null when it was not listed. */
export async function removeSuppression(store: Store, accountId: string, channel: SuppressionChannel, value: string): Promise<SuppressionRow | null> {
  const canonical = normaliseRecipient(channel, value);
  if (canonical === null) return null;
  return (await store.suppressions.delete(accountId, channel, canonical)) ?? null;
}

/** Whether the account must not send to this recipient on this channel. */
export async function isSuppressed(store: Store, accountId: string, channel: SuppressionChannel, value: string): Promise<boolean> {
  const canonical = normaliseRecipient(channel, value);
  if (canonical === null) return false;
  return (await store.suppressions.find(accountId, channel, canonical)) !== undefined;
}

/**
 * The batch form (campaigns, multi-recipient email): which of `values` are suppressed, as the
 * values were given (so the caller can match them back), in one query.
 */
export async function suppressedAmong(store: Store, accountId: string, channel: SuppressionChannel, values: readonly string[]): Promise<Set<string>> {
  const canonicalOf = new Map<string, string[]>();
  for (const v of values) {
    const c = normaliseRecipient(channel, v);
    if (c === null) continue;
    const list = canonicalOf.get(c);
    if (list) list.push(v);
    else canonicalOf.set(c, [v]);
  }
  const listed = await store.suppressions.listedAmong(accountId, channel, [...canonicalOf.keys()]);
  const out = new Set<string>();
  for (const c of listed) for (const v of canonicalOf.get(c) ?? []) out.add(v);
  return out;
}

/** Refuses (422 `recipient_suppressed`) a send when any of `values` is suppressed; names the first. */
export async function assertNotSuppressed(store: Store, accountId: string, channel: SuppressionChannel, values: readonly string[]): Promise<void> {
  const found = await suppressedAmong(store, accountId, channel, values);
  if (found.size === 0) return;
  const first = values.find((v) => found.has(v))!;
  // No field errors: this is not a malformed request, and compatibility APIs map the code itself.
  throw new AppError('recipient_suppressed', `${first} is on this account's suppression list`);
}
