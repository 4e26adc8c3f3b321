import { validationError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { normaliseDomain, parseMailbox } from '../../lib/email-address.ts';
import type { SenderKey, SenderRow } from '../../store/repos/senders.ts';
import type { Store } from '../../store/store.ts';
import { getAccount } from '../access/accounts.ts';
import type { Deps } from '../deps.ts';
import { normaliseSmsSender } from './sms-numbers.ts';

/**
 * Reads what an operator typed into an approval: an email address, an email domain (every
 * address at it), or an SMS sender (an alphanumeric id, a short code or an E.164 number).
 */
export function senderKeyOf(text: string): SenderKey | null {
  const t = text.trim();
  if (t.includes('@')) {
    const mb = parseMailbox(t);
    return mb ? { kind: 'email_address', value: mb.address.toLowerCase() } : null;
  }
  if (t.includes('.')) {
    const domain = normaliseDomain(t);
    return domain ? { kind: 'email_domain', value: domain } : null;
  }
  const sms = normaliseSmsSender(t);
  return sms ? { kind: 'sms', value: sms } : null;
}

export async function approveSender({ store, clock }: Deps, accountId: string, sender: string): Promise<SenderRow> {
  const key = senderKeyOf(sender);
  if (!key) {
    throw validationError([
      { field: 'sender', message: 'must be an email address, a domain, an alphanumeric sender id (≤ 11), a short code or an E.164 number' },
    ]);
  }
  await getAccount(store, accountId);
  const row: SenderRow = { id: newId('snd'), account_id: accountId, ...key, created_at: clock.now() };
  await store.senders.add(row);
  return row;
}

export async function revokeSender(store: Store, accountId: string, sender: string): Promise<boolean> {
  const key = senderKeyOf(sender);
  if (!key) return false;
  return store.senders.remove(accountId, key);
}

/** True when the address itself or its whole domain is approved for the account. */
export async function emailSenderApproved(store: Store, accountId: string, address: string, domain: string): Promise<boolean> {
  return store.cache.anyApproved(accountId, [
    { kind: 'email_address', value: address.toLowerCase() },
    { kind: 'email_domain', value: domain },
  ]);
}
