import { AppError } from '../lib/errors.ts';
import type { Store } from '../store/store.ts';

/** A claimed Idempotency-Key: the request holding it executes and then completes or releases it. */
export interface IdempotencyClaim {
  accountId: string;
  key: string;
  createdAt: number;
}

export type IdempotencyOutcome =
  | { kind: 'proceed'; claim: IdempotencyClaim }
  | { kind: 'replay'; status: number; body: string };

// A claim is completed in the same transaction as the work it guards, so a claim still open
// after this long belongs to a process that died before committing: nothing was done, and the
// key can be taken over. Generous, because a 10,000-recipient campaign is one request.
const ABANDONED_AFTER_MS = 5 * 60_000;

/** Claims `key` for this request, or says to replay the stored answer; throws 409 / 422 otherwise. */
export async function beginIdempotent(
  store: Store,
  opts: { accountId: string; key: string; requestHash: string; ttlMs: number; now?: number },
): Promise<IdempotencyOutcome> {
  const now = opts.now ?? Date.now();
  for (let attempt = 0; attempt < 3; attempt++) {
    const inserted = await store.idempotency.tryInsert({
      account_id: opts.accountId,
      idem_key: opts.key,
      request_hash: opts.requestHash,
      status: 'in_progress',
      response_status: null,
      response_body: null,
      created_at: now,
      expires_at: now + opts.ttlMs,
    });
    if (inserted) return { kind: 'proceed', claim: { accountId: opts.accountId, key: opts.key, createdAt: now } };
    const existing = await store.idempotency.get(opts.accountId, opts.key);
    if (!existing) continue;
    const stale = existing.status === 'in_progress' && now - existing.created_at > ABANDONED_AFTER_MS;
    if (existing.expires_at <= now || stale) {
      await store.idempotency.delete(opts.accountId, opts.key, existing.created_at);
      continue;
    }
    if (existing.request_hash !== opts.requestHash) throw new AppError('idempotency_key_reused');
    if (existing.status === 'in_progress') throw new AppError('idempotency_in_progress');
    return { kind: 'replay', status: existing.response_status!, body: existing.response_body! };
  }
  throw new AppError('idempotency_in_progress');
}

/** Stores the answer to replay. Call inside the transaction of the work for exactly-once. */
export async function completeIdempotent(store: Store, claim: IdempotencyClaim, status: number, body: string): Promise<void> {
  await store.idempotency.complete(claim.accountId, claim.key, status, body);
}

/** Gives the key back (the request failed validation or crashed): a retry will execute. */
export async function releaseIdempotent(store: Store, claim: IdempotencyClaim): Promise<void> {
  await store.idempotency.delete(claim.accountId, claim.key, claim.createdAt, true);
}
