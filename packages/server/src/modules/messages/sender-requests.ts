import { AppError, validationError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { SenderRequestRow } from '../../store/repos/sender-requests.ts';
import { getAccount } from '../access/accounts.ts';
import type { Deps } from '../deps.ts';
import type { AuditActor } from '../people/actor.ts';
import { audit } from '../people/audit.ts';
import { senderKeyOf } from './senders.ts';

const NOTE_MAX = 500;

/** A sender request as the API shows it (to the account and to operators). */
export function senderRequestView(r: SenderRequestRow) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
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
    decided_at: iso(r.decided_at),
    created_at: iso(r.created_at)!,
  };
}

/**
 * Asks the operators to approve a sender for the account (audited as sender_request.create). One
 * pending request per sender; a sender already approved needs none (409 conflict for both).
 */
export async function requestSender({ store, clock }: Deps, actor: AuditActor, accountId: string, sender: string, note: string | null): Promise<SenderRequestRow> {
  const key = senderKeyOf(sender);
  if (!key) {
    throw validationError([{ field: 'sender', message: 'must be an email address, a domain, an alphanumeric sender id (≤ 11), a short code or an E.164 number' }]);
  }
  const trimmed = note?.trim() || null;
  if (trimmed !== null && trimmed.length > NOTE_MAX) throw validationError([{ field: 'note', message: `must be at most ${NOTE_MAX} characters` }]);
  const now = clock.now();
  return store.transaction(async (tx) => {
    await getAccount(tx, accountId);
    if ((await tx.senders.list(accountId)).some((s) => s.kind === key.kind && s.value === key.value)) {
      throw new AppError('conflict', `${key.value} is already approved for this account`);
    }
    if (await tx.senderRequests.pendingFor(accountId, key.kind, key.value)) throw new AppError('conflict', `A request for ${key.value} is already pending`);
    const row: SenderRequestRow = {
      id: newId('sdr'),
      account_id: accountId,
      ...key,
      status: 'pending',
      reason: null,
      note: trimmed,
      requested_by: actor?.userId ?? null,
      decided_by: null,
      decided_at: null,
      created_at: now,
    };
    await tx.senderRequests.insert(row);
    await audit(tx, actor, { accountId, action: 'sender_request.create', target: row.id, after: { kind: key.kind, sender: key.value, note: trimmed } }, now);
    return row;
  });
}
