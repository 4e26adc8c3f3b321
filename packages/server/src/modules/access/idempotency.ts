import type { Clock } from '../../lib/clock.ts';
import { AppError } from '../../lib/errors.ts';
import type { IdempotencyRow } from '../../store/repos/idempotency.ts';
import type { Store } from '../../store/store.ts';

/** An Idempotency-Key a request holds while it executes; its answer is stored when it commits. */
export interface IdempotencyClaim {
  accountId: string;
  key: string;
  requestHash: string;
  createdAt: number;
  expiresAt: number;
}

export type IdempotencyOutcome =
  | { kind: 'proceed'; claim: IdempotencyClaim }
  | { kind: 'replay'; status: number; body: string };

// A row still `in_progress` after this long belongs to a request whose process died before it
// committed: nothing was done, and the key can be taken over. Generous: a 10,000-recipient
// campaign is one request.
export const ABANDONED_AFTER_MS = 5 * 60_000;

export interface ClaimRequest {
  accountId: string;
  key: string;
  requestHash: string;
  ttlMs: number;
}

/** Whether a stored row still binds its key: unexpired, and not an abandoned claim. */
function binding(row: IdempotencyRow, now: number): boolean {
  return row.expires_at > now && !(row.status === 'in_progress' && now - row.created_at > ABANDONED_AFTER_MS);
}

/** What a stored row means for a request with this hash: replay it, or refuse (409 / 422). */
function verdict(row: IdempotencyRow, requestHash: string): IdempotencyOutcome {
  if (row.request_hash !== requestHash) throw new AppError('idempotency_key_reused');
  if (row.status === 'in_progress') throw new AppError('idempotency_in_progress');
  return { kind: 'replay', status: row.response_status!, body: row.response_body! };
}

const claimOf = (opts: ClaimRequest, now: number): IdempotencyClaim => ({
  accountId: opts.accountId,
  key: opts.key,
  requestHash: opts.requestHash,
  createdAt: now,
  expiresAt: now + opts.ttlMs,
});

/**
 * Claims `key` with a row of its own, committed at once (for writers outside the API's group
 * commit); replays, 409 or 422 as a stored row says.
 */
export async function beginIdempotent(store: Store, opts: ClaimRequest, now: number): Promise<IdempotencyOutcome> {
  const claim = claimOf(opts, now);
  if ((await store.idempotency.claimMany([claim], now - ABANDONED_AFTER_MS, now)).size === 1) return { kind: 'proceed', claim };
  const existing = await store.idempotency.get(opts.accountId, opts.key);
  if (!existing) throw new AppError('idempotency_in_progress');
  return verdict(existing, opts.requestHash);
}

/** How the API looks Idempotency-Keys up and holds them while their requests run. */
export interface IdempotencyGate {
  /** Replay, refuse (409 / 422), or proceed holding the key. */
  begin(opts: ClaimRequest): Promise<IdempotencyOutcome>;
  /** The request holding the claim has been answered, whatever the answer. */
  release(claim: IdempotencyClaim): void;
  /** Stores the answer of a request that ended without a commit of its own (a remembered error). */
  remember(claim: IdempotencyClaim, status: number, body: string): Promise<void>;
}

/**
 * The API's Idempotency-Keys. A request first looks its key up (replay, 422, 409) and holds it in
 * this process while it executes (a duplicate here is refused at once, 409); the key's row is
 * written by the group commit that writes the request (accept/commit-batch.ts): claimed at the
 * start of that transaction — a duplicate committed meanwhile by another process wins, and this request
 * gets 409 — and answered at its end. No commit of its own: a claim committed before executing
 * would have cost every keyed request a second fsync.
 */
export class IdempotencyClaims implements IdempotencyGate {
  private readonly held = new Map<string, string>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  async begin(opts: ClaimRequest): Promise<IdempotencyOutcome> {
    const id = `${opts.accountId}\n${opts.key}`;
    const holder = this.held.get(id);
    if (holder !== undefined) throw new AppError(holder === opts.requestHash ? 'idempotency_in_progress' : 'idempotency_key_reused');
    const now = this.clock.now();
    this.held.set(id, opts.requestHash);
    try {
      const existing = await this.store.idempotency.get(opts.accountId, opts.key);
      if (existing && binding(existing, now)) {
        const outcome = verdict(existing, opts.requestHash);
        this.held.delete(id);
        return outcome;
      }
    } catch (err) {
      this.held.delete(id);
      throw err;
    }
    return { kind: 'proceed', claim: claimOf(opts, now) };
  }

  /** The request holding the claim has been answered, whatever the answer. */
  release(claim: IdempotencyClaim): void {
    this.held.delete(`${claim.accountId}\n${claim.key}`);
  }

  remember(claim: IdempotencyClaim, status: number, body: string): Promise<void> {
    return rememberIdempotent(this.store, claim, status, body);
  }
}

/** Stores an answer for a key whose request ended without a commit of its own (a remembered error). */
export async function rememberIdempotent(store: Store, claim: IdempotencyClaim, status: number, body: string): Promise<void> {
  await store.transaction((tx) => tx.idempotency.claimMany([{ ...claim, answer: { status, body } }], claim.createdAt - ABANDONED_AFTER_MS, claim.createdAt));
}
