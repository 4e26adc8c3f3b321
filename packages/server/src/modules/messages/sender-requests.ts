import { AppError, notFound, validationError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { rfc3339 } from '../../lib/time.ts';
import type { SenderKey, SenderRow } from '../../store/repos/senders.ts';
import type { SenderRequestRow } from '../../store/repos/sender-requests.ts';
import type { Store } from '../../store/store.ts';
import type { Deps } from '../deps.ts';
import { getAccount } from '../access/accounts.ts';
import type { AccountActor, AuditActor } from '../people/actor.ts';
import { audit } from '../people/audit.ts';
import { senderKeyOf } from './senders.ts';

const NOTE_MAX = 500;

/** Requests shown beside the approved senders: the newest of each open status. */
const SHOWN_REQUESTS = 100;

/** An approved sender of the account. */
export function senderView(s: SenderRow) {
  return { id: s.id, kind: s.kind, sender: s.value, created_at: rfc3339(s.created_at) };
}

/** A sender request as the API shows it, to the account and to operators (with the operator's reason for a rejection). */
export function senderRequestView(r: SenderRequestRow) {
  return {
    id: r.id,
    account_id: r.account_id,
    kind: r.kind,
    sender: r.value,
    status: r.status,
    note: r.note,
    reason: r.reason,
    requested_by: r.requested_by,
    decided_by: r.decided_by,
    created_at: rfc3339(r.created_at),
    decided_at: rfc3339(r.decided_at),
  };
}

/** The approved senders, and the requests still waiting for an operator or refused by one. */
export async function sendersOf(store: Store, accountId: string) {
  const [approved, pending, rejected] = await Promise.all([
    store.senders.list(accountId),
    store.senderRequests.list({ accountId, status: 'pending', limit: SHOWN_REQUESTS }),
    store.senderRequests.list({ accountId, status: 'rejected', limit: SHOWN_REQUESTS }),
  ]);
  const requests = [...pending, ...rejected].sort((a, b) => (a.id < b.id ? 1 : -1));
  return { data: approved.map(senderView), requests: requests.map(senderRequestView) };
}

/** Whether `key` is approved for the account already (an address also by its whole domain). */
async function approvedAlready(store: Store, accountId: string, key: SenderKey): Promise<boolean> {
  const approved = await store.senders.list(accountId);
  const domain = key.kind === 'email_address' ? key.value.slice(key.value.lastIndexOf('@') + 1) : null;
  return approved.some((s) => (s.kind === key.kind && s.value === key.value) || (domain !== null && s.kind === 'email_domain' && s.value === domain));
}

/**
 * Asks the operators to approve a sender (an SMS sender id or number, an email domain or
 * address, read as `hellio senders approve` reads it): a pending request, audited. 409 conflict
 * when it is approved already or a request for it is pending.
 */
export async function requestSender({ store, clock }: Deps, actor: AuditActor, accountId: string, input: { sender: string; note?: string | null }) {
  const key = senderKeyOf(input.sender);
  if (!key) {
    throw validationError([{ field: 'sender', message: 'must be an email address, a domain, an alphanumeric sender id (≤ 11), a short code or an E.164 number' }]);
  }
  const note = input.note?.trim() || null;
  if (note !== null && note.length > NOTE_MAX) throw validationError([{ field: 'note', message: `must be at most ${NOTE_MAX} characters` }]);
  const now = clock.now();
  const row: SenderRequestRow = {
    id: newId('sdr'),
    account_id: accountId,
    ...key,
    status: 'pending',
    reason: null,
    note,
    requested_by: actor?.userId ?? null,
    decided_by: null,
    decided_at: null,
    created_at: now,
  };
  return store.transaction(async (tx) => {
    await getAccount(tx, accountId);
    if (await approvedAlready(tx, accountId, key)) throw new AppError('conflict', `${key.value} is approved for this account already`);
    if (!(await tx.senderRequests.insertPending(row))) throw new AppError('conflict', `A request for ${key.value} is waiting for an operator already`);
    await audit(tx, actor, { accountId, action: 'sender_request.create', target: row.id, after: { kind: key.kind, sender: key.value, note: row.note } }, now);
    return senderRequestView(row);
  });
}

/** Withdraws an approved sender the account no longer wants (sending from it is refused from then on), audited. */
export async function removeSender({ store, clock }: Deps, actor: AccountActor, senderId: string) {
  const now = clock.now();
  return store.transaction(async (tx) => {
    const sender = (await tx.senders.list(actor.accountId)).find((s) => s.id === senderId);
    if (!sender) throw notFound('Sender');
    await tx.senders.remove(actor.accountId, sender);
    await audit(tx, actor, { accountId: actor.accountId, action: 'sender.remove', target: sender.id, before: { kind: sender.kind, sender: sender.value } }, now);
    return { ...senderView(sender), removed: true };
  });
}
