import { AppError, notFound, validationError } from '../../lib/errors.ts';
import { isId } from '../../lib/ids.ts';
import type { SenderRequestRow } from '../../store/repos/sender-requests.ts';
import type { Store } from '../../store/store.ts';
import { getAccount } from '../access/accounts.ts';
import type { Deps } from '../deps.ts';
import { senderRequestView } from '../messages/sender-requests.ts';
import { approveSender, revokeSender, senderKeyOf } from '../messages/senders.ts';
import { checkCursor, page, pageSize } from '../pagination.ts';
import type { AuditActor } from '../people/actor.ts';
import { audit } from '../people/audit.ts';

const REASON_MAX = 500;

export type RequestStatusFilter = SenderRequestRow['status'] | 'all';

/**
 * The sender-approval queue: oldest first, so that the request that has waited longest is at the
 * top (and a page boundary never hides one that arrived meanwhile). Pending ones by default.
 */
export async function listSenderRequests(store: Store, q: { status?: RequestStatusFilter; accountId?: string; limit?: number; cursor?: string }) {
  checkCursor('sdr', q.cursor);
  const size = pageSize(q.limit);
  const status = q.status ?? 'pending';
  const rows = await store.senderRequests.list({
    limit: size + 1,
    oldestFirst: true,
    ...(status !== 'all' ? { status } : {}),
    ...(q.accountId ? { accountId: q.accountId } : {}),
    ...(q.cursor ? { cursor: q.cursor } : {}),
  });
  return page(rows, size, senderRequestView);
}

type Decision = { status: 'approved' } | { status: 'rejected'; reason: string };

/** Decides a pending request in `tx`; 404 when there is none, 409 when it was decided already (by anyone). */
async function decide(tx: Store, actor: AuditActor, id: string, decision: Decision, now: number): Promise<SenderRequestRow> {
  const request = isId('sdr', id) ? await tx.senderRequests.get(id) : undefined;
  if (!request) throw notFound('Sender request');
  const won = await tx.senderRequests.decide(id, {
    status: decision.status,
    reason: decision.status === 'rejected' ? decision.reason : null,
    decided_by: actor?.userId ?? null,
    decided_at: now,
  });
  if (!won) throw new AppError('conflict', `This request was already ${request.status === 'pending' ? 'decided' : request.status}`);
  return (await tx.senderRequests.get(id))!;
}

/** Approves a request: the sender becomes approved for its account, in the same transaction (audited as sender_request.approve). */
export async function approveSenderRequest({ store, clock }: Deps, actor: AuditActor, id: string) {
  const now = clock.now();
  return store.transaction(async (tx) => {
    const row = await decide(tx, actor, id, { status: 'approved' }, now);
    await approveSender({ store: tx, clock }, row.account_id, row.value);
    await audit(tx, actor, { accountId: row.account_id, action: 'sender_request.approve', target: row.id, before: { status: 'pending' }, after: { status: 'approved', kind: row.kind, sender: row.value } }, now);
    return senderRequestView(row);
  });
}

/** Rejects a request with a reason the account sees (audited as sender_request.reject). */
export async function rejectSenderRequest({ store, clock }: Deps, actor: AuditActor, id: string, reason: string) {
  const why = reason.trim();
  if (!why) throw validationError([{ field: 'reason', message: 'must not be empty' }]);
  if (why.length > REASON_MAX) throw validationError([{ field: 'reason', message: `must be at most ${REASON_MAX} characters` }]);
  const now = clock.now();
  return store.transaction(async (tx) => {
    const row = await decide(tx, actor, id, { status: 'rejected', reason: why }, now);
    await audit(tx, actor, { accountId: row.account_id, action: 'sender_request.reject', target: row.id, before: { status: 'pending' }, after: { status: 'rejected', reason: why } }, now);
    return senderRequestView(row);
  });
}

/**
 * Approves a sender for an account directly, without a request (audited as sender.approve); a
 * pending request for the same sender is approved with it, so it does not linger in the queue.
 */
export async function approveSenderAs({ store, clock }: Deps, actor: AuditActor, accountId: string, sender: string) {
  const now = clock.now();
  return store.transaction(async (tx) => {
    const row = await approveSender({ store: tx, clock }, accountId, sender);
    const pending = await tx.senderRequests.pendingFor(accountId, row.kind, row.value);
    if (pending) await tx.senderRequests.decide(pending.id, { status: 'approved', reason: null, decided_by: actor?.userId ?? null, decided_at: now });
    await audit(tx, actor, { accountId, action: 'sender.approve', target: row.value, after: { kind: row.kind, sender: row.value, ...(pending ? { request: pending.id } : {}) } }, now);
    return { account_id: accountId, kind: row.kind, sender: row.value, approved: true as const };
  });
}

/** Withdraws a sender's approval (audited as sender.revoke); false when it was not approved. */
export async function revokeSenderAs({ store, clock }: Deps, actor: AuditActor, accountId: string, sender: string): Promise<boolean> {
  const key = senderKeyOf(sender);
  return store.transaction(async (tx) => {
    await getAccount(tx, accountId);
    if (!key || !(await revokeSender(tx, accountId, sender))) return false;
    await audit(tx, actor, { accountId, action: 'sender.revoke', target: key.value, before: { kind: key.kind, sender: key.value } }, clock.now());
    return true;
  });
}
