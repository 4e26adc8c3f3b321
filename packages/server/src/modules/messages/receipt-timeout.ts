import type { Store } from '../../store/store.ts';
import { markUndeliveredMany } from './lifecycle.ts';

/** The reason (`error`) of a message that waited for its receipt past its channel's timeout. */
export const RECEIPT_TIMEOUT = 'receipt_timeout';

/** How long a message may wait in `sent` for its receipt, per channel (HELLIO_*_RECEIPT_TIMEOUT_MINUTES). */
export interface ReceiptTimeouts {
  sms: number;
  email: number;
}

/** Messages expired per transaction: small, so a sweep never holds many rows locked for long. */
export const EXPIRE_BATCH = 200;

const hours = (ms: number) => (ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${Math.round(ms / 60_000)} min`);

/**
 * One batch of the receipt-timeout sweep: up to `limit` messages of each channel that have been
 * `sent` for longer than the channel's timeout become `undelivered` with reason `receipt_timeout`
 * (timeline entry and message.undelivered event with them, one transaction per channel's batch;
 * docs/reliability.md). Answers how many moved; fewer than `limit` per channel means the backlog
 * is cleared.
 */
export async function expireUnreceipted(store: Store, timeouts: ReceiptTimeouts, now: number, limit = EXPIRE_BATCH): Promise<number> {
  let moved = 0;
  for (const channel of ['sms', 'email'] as const) {
    const timeout = timeouts[channel];
    moved += await store.transaction(async (tx) => {
      const ids = await tx.delivery.sentBefore(channel, now - timeout, limit);
      return markUndeliveredMany(tx, ids, RECEIPT_TIMEOUT, `${RECEIPT_TIMEOUT}: no delivery receipt within ${hours(timeout)} of the hand-over`, now);
    });
  }
  return moved;
}
