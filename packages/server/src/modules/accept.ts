import { AppError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import { periodsOf } from '../lib/time.ts';
import type { CampaignRow } from '../store/repos/campaigns.ts';
import type { JobRow } from '../store/repos/jobs.ts';
import type { MessageEventRow, MessageRow } from '../store/repos/messages.ts';
import type { Store } from '../store/store.ts';
import type { Principal } from './auth.ts';
import { completeIdempotent, type IdempotencyClaim } from './idempotency.ts';

/** Attempts a delivery job gets before its message is failed (the delivery engine's policy). */
export const DELIVERY_MAX_ATTEMPTS = 10;

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
  }));

  await store.transaction(async (tx) => {
    if (plan.charge > 0) {
      const { day, month } = periodsOf(now);
      // Counters are bumped first and checked after: the upsert holds the row lock until commit,
      // so concurrent requests cannot both slip under a cap; a refusal rolls the bump back.
      capCheck(await tx.spend.add(`acc:${p.accountId}`, `d:${day}`, plan.charge), p.caps.accountDaily, 'daily');
      capCheck(await tx.spend.add(`acc:${p.accountId}`, `m:${month}`, plan.charge), p.caps.accountMonthly, 'monthly');
      if (p.caps.keyDaily !== null) {
        capCheck(await tx.spend.add(`key:${p.keyId}`, `d:${day}`, plan.charge), p.caps.keyDaily, "key's daily");
      }
      if (p.caps.keyMonthly !== null) {
        capCheck(await tx.spend.add(`key:${p.keyId}`, `m:${month}`, plan.charge), p.caps.keyMonthly, "key's monthly");
      }
      const balance = await tx.wallet.move(p.accountId, -plan.charge);
      if (balance === undefined) throw new AppError('insufficient_balance');
      await tx.wallet.appendLedger({
        id: newId('led'),
        account_id: p.accountId,
        amount_micros: -plan.charge,
        balance_after_micros: balance,
        kind: 'debit',
        reference: plan.reference,
        note: null,
        created_at: now,
      });
    }
    if (plan.campaign) await tx.campaigns.insert(plan.campaign);
    await tx.messages.insertMany(plan.messages);
    await tx.messages.insertEvents(events);
    await tx.jobs.insertMany(jobs);
    if (plan.idempotency) {
      await completeIdempotent(tx, plan.idempotency.claim, plan.idempotency.status, plan.idempotency.body);
    }
  });
}
