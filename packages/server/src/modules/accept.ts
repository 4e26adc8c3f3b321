import { AppError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import { periodsOf } from '../lib/time.ts';
import type { CampaignRow } from '../store/repos/campaigns.ts';
import type { JobRow } from '../store/repos/jobs.ts';
import type { MessageEventRow, MessageRow } from '../store/repos/messages.ts';
import type { Store } from '../store/store.ts';
import type { Principal } from './auth.ts';
import { type NewEvent, messageEventType, recordEvents } from './events.ts';
import { completeIdempotent, type IdempotencyClaim } from './idempotency.ts';
import { messageView } from './views.ts';
import { formatMicros } from '../lib/money.ts';

/**
 * Attempts a delivery job gets before its message is failed. The worker uses the lower of this and
 * the job definition's maxAttempts (workers/deliver.ts: 30, about a day of backoff), so it must not be lower.
 */
export const DELIVERY_MAX_ATTEMPTS = 30;

/**
 * Everything one accepted request writes, described as data before any of it is written. One
 * plan commits in one transaction; the shape lets many plans share a transaction later (group
 * commit) without changing the modules that build them.
 */
export interface AcceptPlan {
  principal: Principal;
  /** Micro-units to debit; sandbox (cs_test_) plans are never charged. */
  charge: number;
  /** Ledger reference: the campaign id, or the single message's id. */
  reference: string;
  campaign: CampaignRow | null;
  messages: MessageRow[];
  idempotency: { claim: IdempotencyClaim; status: number; body: string } | null;
  /**
   * What a product other than messages writes with its charge (a lookup, a verification), and
   * the events that go with it. Runs in the same transaction, before the charge.
   */
  write?: (tx: Store) => Promise<void>;
}

function capCheck(used: number, limit: number | null, which: string): void {
  if (limit !== null && used > limit) {
    throw new AppError('spend_cap_exceeded', `This request would exceed the ${which} spend cap`);
  }
}

/** Steps 8–9 of the pipeline and the outbox write: caps, debit, messages, events, jobs — atomically. */
export async function commitAccept(store: Store, plan: AcceptPlan, now = Date.now()): Promise<void> {
  const { principal: p } = plan;
  const events: MessageEventRow[] = plan.messages.map((m) => ({
    id: newId('ev'),
    message_id: m.id,
    status: m.status,
    detail: null,
    created_at: now,
  }));
  const jobs: JobRow[] = plan.messages.map((m) => ({
    id: newId('job'),
    kind: `deliver.${m.channel}`,
    payload: JSON.stringify({ message_id: m.id }),
    status: 'pending',
    run_at: m.scheduled_at ?? now,
    attempts: 0,
    max_attempts: DELIVERY_MAX_ATTEMPTS,
    locked_until: null,
    locked_by: null,
    last_error: null,
    created_at: now,
    updated_at: now,
    group_key: null,
  }));
  const messageEvents: NewEvent[] = plan.messages.map((m) => ({
    accountId: m.account_id,
    type: messageEventType(m.status)!,
    data: messageView(m, store.currency),
  }));

  await store.transaction(async (tx) => {
    // Rows nobody else touches go first; the shared hot rows (the spend counters and the wallet)
    // are locked last, so concurrent requests of one account wait for each other only briefly.
    if (plan.campaign) await tx.campaigns.insert(plan.campaign);
    await tx.messages.insertMany(plan.messages);
    await tx.messages.insertEvents(events);
    await tx.jobs.insertMany(jobs);
    await recordEvents(tx, messageEvents, now);
    if (plan.write) await plan.write(tx);
    if (plan.idempotency) {
      await completeIdempotent(tx, plan.idempotency.claim, plan.idempotency.status, plan.idempotency.body);
    }
    if (plan.charge > 0) {
      const { day, month } = periodsOf(now);
      // Counters are bumped and then checked: the bump holds the row lock until commit, so
      // concurrent requests cannot both slip under a cap; a refusal rolls everything back.
      const caps: Array<{ scope: string; period: string; limit: number | null; name: string }> = [
        { scope: `acc:${p.accountId}`, period: `d:${day}`, limit: p.caps.accountDaily, name: 'daily' },
        { scope: `acc:${p.accountId}`, period: `m:${month}`, limit: p.caps.accountMonthly, name: 'monthly' },
      ];
      if (p.caps.keyDaily !== null) caps.push({ scope: `key:${p.keyId}`, period: `d:${day}`, limit: p.caps.keyDaily, name: "key's daily" });
      if (p.caps.keyMonthly !== null) caps.push({ scope: `key:${p.keyId}`, period: `m:${month}`, limit: p.caps.keyMonthly, name: "key's monthly" });
      const result = await tx.charges.charge({
        accountId: p.accountId,
        amount: plan.charge,
        counters: caps,
        ledgerId: newId('led'),
        reference: plan.reference,
        now,
      });
      caps.forEach((cap, i) => capCheck(result.counterTotals[i]!, cap.limit, cap.name));
      if (result.balance === undefined) throw new AppError('insufficient_balance');
      await noteLowBalance(tx, p, result.balance + plan.charge, result.balance, now);
    }
  });
}

/** Emits balance.low when this debit took the balance from at or above the account's threshold to below it. */
async function noteLowBalance(tx: Store, p: Principal, before: number, after: number, now: number): Promise<void> {
  const threshold = p.balanceLowMicros;
  if (threshold === null || before < threshold || after >= threshold) return;
  await recordEvents(
    tx,
    [{ accountId: p.accountId, type: 'balance.low', data: { account_id: p.accountId, balance: formatMicros(after), threshold: formatMicros(threshold), currency: tx.currency } }],
    now,
  );
}
