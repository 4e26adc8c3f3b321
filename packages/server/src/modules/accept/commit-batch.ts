import { AppError } from '../../lib/errors.ts';
import { formatMicros } from '../../lib/money.ts';
import type { Signals } from '../../lib/signals.ts';
import { jobRows } from '../../queue/enqueue.ts';
import { type ChargeState, type CounterKey, counterId } from '../../store/repos/charges.ts';
import type { JobRow } from '../../store/repos/jobs.ts';
import type { LedgerRow } from '../../store/repos/wallet.ts';
import type { Database } from '../../store/schema.ts';
import type { Store } from '../../store/store.ts';
import { ABANDONED_AFTER_MS } from '../access/idempotency.ts';
import { type Cap, capsOf, refusal } from '../billing/caps.ts';
import { ledgerRow } from '../billing/ledger.ts';
import { eventRows, type NewEvent } from '../webhooks/events.ts';
import type { ChargePlan, PlanRows, StoredAnswer } from './plan.ts';

/** A plan waiting for its batch, with the answer its Idempotency-Key keeps. */
export interface PendingAccept {
  plan: ChargePlan;
  answer: StoredAnswer | null;
}

// The order a batch inserts its tables in: a row after the rows it refers to.
const TABLE_ORDER: ReadonlyArray<keyof Database> = ['campaigns', 'messages', 'message_events'];

/**
 * Steps 8–9 of the pipeline and the outbox write for a batch of charged requests, in ONE
 * transaction: the wallets and spend counters of the batch's accounts are locked and read once;
 * each plan is then decided in arrival order against what the plans before it used (a cap it
 * would exceed, a balance it would overdraw: refused, without touching the others); the accepted
 * plans' rows, jobs, events, idempotency answers, ledger rows, and one debit per account are
 * written; one commit makes them all durable. Answers, per plan, null (committed) or its refusal.
 */
export async function commitBatch(tx: Store, all: PendingAccept[], now: number): Promise<Array<AppError | null>> {
  // Idempotency-Keys first: a key another process committed since the request looked it up is
  // that request's, and this one is refused before it uses any money. Each key is claimed with
  // the answer it keeps, which this transaction commits with its request (or drops, refused).
  const keyed = all.filter((b) => b.answer);
  const claimed = await tx.idempotency.claimMany(
    keyed.map(({ answer: a }) => ({ ...a!.claim, answer: { status: a!.status, body: a!.body } })),
    now - ABANDONED_AFTER_MS,
    now,
  );
  const lostKey = new Set(keyed.filter((b) => !claimed.has(`${b.answer!.claim.accountId}\n${b.answer!.claim.key}`)));
  const batch = all.filter((b) => !lostKey.has(b));

  const charged = batch.filter((b) => b.plan.charge > 0);
  const caps = new Map<PendingAccept, Cap[]>(charged.map((b) => [b, capsOf(b.plan.principal, b.plan.at)]));
  const counters = new Map<string, CounterKey>();
  for (const list of caps.values()) for (const c of list) counters.set(counterId(c), c);
  const state: ChargeState = await tx.charges.lock([...new Set(charged.map((b) => b.plan.principal.accountId))], [...counters.values()]);

  const outcomes = new Map<PendingAccept, AppError | null>();
  for (const b of lostKey) outcomes.set(b, new AppError('idempotency_in_progress'));
  const accepted: PendingAccept[] = [];
  const debits = new Map<string, number>();
  const increments = new Map<string, CounterKey & { amount: number }>();
  const ledger: LedgerRow[] = [];
  const lowBalance: NewEvent[] = [];
  for (const b of batch) {
    const { plan } = b;
    const accountId = plan.principal.accountId;
    const refused = plan.charge > 0 ? refusal(accountId, plan.charge, caps.get(b)!, state) : null;
    outcomes.set(b, refused);
    if (refused) continue;
    accepted.push(b);
    if (plan.charge === 0) continue;
    const before = state.balances.get(accountId)!;
    const after = before - plan.charge;
    state.balances.set(accountId, after);
    debits.set(accountId, (debits.get(accountId) ?? 0) + plan.charge);
    for (const c of caps.get(b)!) {
      const id = counterId(c);
      state.spent.set(id, (state.spent.get(id) ?? 0) + plan.charge);
      increments.set(id, { scope: c.scope, period: c.period, amount: (increments.get(id)?.amount ?? 0) + plan.charge });
    }
    ledger.push(ledgerRow(accountId, { amount: -plan.charge, balanceAfter: after, kind: 'debit', reference: plan.reference, note: null }, plan.at));
    const low = lowBalanceEvent(plan, before, after, tx.currency);
    if (low) lowBalance.push(low);
  }
  const answer = () => all.map((b) => outcomes.get(b)!);
  // Refused requests leave their keys free (the HTTP layer stores the answers worth replaying).
  await tx.idempotency.releaseMany(batch.filter((b) => b.answer && outcomes.get(b)).map((b) => b.answer!.claim));
  if (accepted.length === 0) return answer();

  const rows = new Map<keyof Database, object[]>(TABLE_ORDER.map((t) => [t, []]));
  const jobs: JobRow[] = [];
  const events: NewEvent[] = [];
  for (const { plan } of accepted) {
    for (const [table, list] of Object.entries(plan.rows) as Array<[keyof PlanRows, object[]]>) {
      if (!rows.has(table)) rows.set(table, []);
      appendAll(rows.get(table)!, list);
    }
    appendAll(jobs, jobRows(plan.jobs, plan.at));
    appendAll(events, plan.events);
  }
  const fanOut = await eventRows(tx, [...events, ...lowBalance], now);
  // A product's own guarded write first: it may refuse its request (a race it lost).
  for (const { plan } of accepted) if (plan.write) await plan.write(tx);
  await tx.batchWrites.write({
    inserts: [
      ...[...rows].map(([table, list]) => ({ table, rows: list })),
      { table: 'jobs', rows: [...jobs, ...fanOut.jobs] },
      { table: 'events', rows: fanOut.events },
      { table: 'webhook_deliveries', rows: fanOut.deliveries },
      { table: 'ledger', rows: ledger },
    ],
    debits,
    increments: [...increments.values()],
  });
  signalAccepted(tx.signals, accepted);
  return answer();
}

/** Messages accepted per channel, and calls as `voice` (counted once the batch commits). */
function signalAccepted(signals: Signals, accepted: readonly PendingAccept[]): void {
  const perChannel = new Map<string, number>();
  for (const { plan } of accepted) {
    for (const m of plan.rows.messages ?? []) perChannel.set(m.channel, (perChannel.get(m.channel) ?? 0) + 1);
    const calls = plan.rows.calls?.length ?? 0;
    if (calls > 0) perChannel.set('voice', (perChannel.get('voice') ?? 0) + calls);
  }
  for (const [channel, n] of perChannel) signals.messagesAccepted(channel, n);
}

/** balance.low when this debit took the balance from at or above the account's threshold to below it. */
function lowBalanceEvent(plan: ChargePlan, before: number, after: number, currency: string): NewEvent | null {
  const { principal: p } = plan;
  const threshold = p.balanceLowMicros;
  if (threshold === null || before < threshold || after >= threshold) return null;
  return {
    accountId: p.accountId,
    type: 'balance.low',
    data: { account_id: p.accountId, balance: formatMicros(after), threshold: formatMicros(threshold), currency },
    at: plan.at,
  };
}

// A campaign's 10,000 rows would be as many arguments to push(...rows).
function appendAll<T>(to: T[], items: readonly T[]): void {
  for (const item of items) to.push(item);
}
