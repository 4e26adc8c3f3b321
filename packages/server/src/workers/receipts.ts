import type { Clock } from '../lib/clock.ts';
import type { ReceiptInput } from '../modules/messages/lifecycle.ts';
import { expireUnreceipted, type ReceiptTimeouts } from '../modules/messages/receipt-timeout.ts';
import { applyReceipt } from '../modules/messages/receipts.ts';
import type { JobHandlers } from '../queue/handlers.ts';
import { type JobContext, PermanentFailure } from '../queue/job-definition.ts';
import { recurring } from '../queue/recurring.ts';
import { settlingCommit } from '../queue/settle.ts';
import type { Store } from '../store/store.ts';

/** What the receipt jobs need: the store, the clock, and each channel's receipt timeout. */
export interface ReceiptJobDeps {
  store: Store;
  clock: Clock;
  receiptTimeouts: ReceiptTimeouts;
}

const STATUSES = new Set<ReceiptInput['status']>(['delivered', 'undelivered', 'failed']);

/** Batches of the sweep one job runs at most, each its own short transaction; the next run takes the rest. */
const SWEEP_BATCHES_PER_RUN = 25;

/**
 * The handlers of the receipt jobs:
 * - `sms.simulated_receipt` applies a simulated network's receipt when it is due, through the
 *   same `applyReceipt` as an SMPP `deliver_sm` (pending_receipts included). The receipts due
 *   together are applied with their jobs' settles in one transaction.
 * - `messages.expire_receipts` runs the receipt-timeout sweep in small batches.
 */
export function receiptHandlers(deps: ReceiptJobDeps): Pick<JobHandlers, 'sms.simulated_receipt' | 'messages.expire_receipts'> {
  const { store, clock } = deps;
  const receipts = settlingCommit<{ provider: string; receipt: ReceiptInput; run: JobContext }>(
    store,
    clock,
    async (tx, items, now) => {
      for (const i of items) await applyReceipt(tx, i.provider, i.receipt, now);
    },
    // One batch at a time: a receipt's final step bumps its campaign's row, and two batches in
    // flight lock the same campaigns in different orders (a deadlock PostgreSQL breaks only after
    // a second, then writes item by item). Receipts are few statements each; one writer keeps up.
    { name: 'receipts.simulated', maxBatch: 500, concurrency: 1, lingerMs: 2 },
  );

  return {
    'sms.simulated_receipt': {
      async handle(p, run) {
        const status = p.status as ReceiptInput['status'];
        if (!STATUSES.has(status)) throw new PermanentFailure(`unknown receipt status ${p.status}`);
        await receipts.add({ provider: p.provider, receipt: { providerMessageId: p.provider_message_id, status, detail: p.detail }, run });
      },
    },
    // Recurring (queue/catalogue.ts RECURRING): a run that ends with batches still full comes back soon.
    'messages.expire_receipts': recurring('messages.expire_receipts', deps, async () => {
      for (let i = 0; i < SWEEP_BATCHES_PER_RUN; i++) {
        if ((await expireUnreceipted(store, deps.receiptTimeouts, clock.now())) === 0) return undefined;
      }
      return { nextInMs: 5_000 };
    }),
  };
}
