import { AppError, notFound, validationError } from '../../lib/errors.ts';
import { rfc3339 } from '../../lib/time.ts';
import type { NumberRow } from '../../store/repos/numbers.ts';
import type { Store } from '../../store/store.ts';
import { getAccount } from '../access/accounts.ts';
import type { Deps } from '../deps.ts';
import { approveSender } from '../messages/senders.ts';
import { parseE164 } from '../messages/sms-numbers.ts';
import type { AuditActor } from '../people/actor.ts';
import { audit } from '../people/audit.ts';

/** A number as the API shows it. */
export function numberView(n: NumberRow) {
  return { number: n.number, account_id: n.account_id, created_at: rfc3339(n.created_at) };
}

function e164(text: string): string {
  const n = parseE164(text.replace(/[\s().-]/g, ''));
  if (n === null) throw validationError([{ field: 'number', message: 'must be a valid E.164 number such as +447400123140' }]);
  return n;
}

/**
 * Gives a number to an account (audited: number.assign): SMS to it become the account's inbound
 * messages, and it is approved as the account's SMS sender, so replies can go out from it.
 * 409 when another account holds it; assigning it again to its owner changes nothing.
 */
export async function assignNumber({ store, clock }: Deps, actor: AuditActor, accountId: string, number: string) {
  const n = e164(number);
  const now = clock.now();
  return store.transaction(async (tx) => {
    await getAccount(tx, accountId);
    const held = await tx.numbers.get(n);
    if (held && held.account_id !== accountId) throw new AppError('conflict', `${n} is assigned to another account: release it first`);
    if (held) return numberView(held);
    const row: NumberRow = { number: n, account_id: accountId, created_at: now };
    await tx.numbers.insert(row);
    await approveSender({ store: tx, clock }, accountId, n);
    await audit(tx, actor, { accountId, action: 'number.assign', target: n }, now);
    return numberView(row);
  });
}

/**
 * Takes a number back (audited: number.release); inbound SMS to it are dropped from then on. Its
 * approval as a sender stays: an operator revokes that separately (the account may own the
 * number elsewhere). 404 when it is not assigned.
 */
export async function releaseNumber({ store, clock }: Deps, actor: AuditActor, number: string) {
  const n = e164(number);
  const now = clock.now();
  return store.transaction(async (tx) => {
    const held = await tx.numbers.get(n);
    if (!held) throw notFound('Number');
    await tx.numbers.delete(n);
    await audit(tx, actor, { accountId: held.account_id, action: 'number.release', target: n }, now);
    return { ...numberView(held), released: true as const };
  });
}

/** Every assigned number (or one account's), in number order. */
export async function listNumbers(store: Store, accountId?: string) {
  return { data: (await store.numbers.list(accountId)).map(numberView) };
}

/** The account a number belongs to, or null when it is not assigned. */
export async function ownerOfNumber(store: Store, number: string): Promise<string | null> {
  return (await store.numbers.get(number))?.account_id ?? null;
}
