import { AppError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import { formatMicros } from '../lib/money.ts';
import { periodsOf } from '../lib/time.ts';
import { type ChargeState, type CounterKey, counterId } from '../store/repos/charges.ts';
import type { CampaignRow } from '../store/repos/campaigns.ts';
import type { JobRow } from '../store/repos/jobs.ts';
import type { MessageEventRow, MessageRow } from '../store/repos/messages.ts';
import type { LedgerRow } from '../store/repos/wallet.ts';
import type { Store } from '../store/store.ts';
import type { Principal } from './auth.ts';
import { eventRows, type NewEvent, messageEventType } from './events.ts';
import { ABANDONED_AFTER_MS, type IdempotencyClaim } from './idempotency.ts';
import { GroupCommit } from '../lib/group-commit.ts';
import { messageView } from './views.ts';

/**
 * Attempts a delivery job gets before its message is failed. The worker uses the lower of this and
 * the job definition's maxAttempts (workers/deliver.ts: 30, about a day of backoff), so it must not be lower.
 */
export const DELIVERY_MAX_ATTEMPTS = 30;

/**
 * Everything one accepted request writes, described as data before any of it is written, so that
 * the plans of many concurrent requests can commit in one transaction (AcceptCommitter).
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
   * What a product other than messages writes with its charge (a lookup, a verification, an OTP).
   * Runs in the commit's transaction once the charge is decided; throwing refuses this request.
   */
  write?: (tx: Store) => Promise<void>;
}

interface Cap extends CounterKey {
  limit: number | null;
  name: string;
}

function capsOf(p: Principal, now: number): Cap[] {
  const { day, month } = periodsOf(now);
  const caps: Cap[] = [
    { scope: `acc:${p.accountId}`, period: `d:${day}`, limit: p.caps.accountDaily, name: 'daily' },
    { scope: `acc:${p.accountId}`, period: `m:${month}`, limit: p.caps.accountMonthly, name: 'monthly' },
  ];
  if (p.caps.keyDaily !== null) caps.push({ scope: `key:${p.keyId}`, period: `d:${day}`, limit: p.caps.keyDaily, name: "key's daily" });
  if (p.caps.keyMonthly !== null) caps.push({ scope: `key:${p.keyId}`, period: `m:${month}`, limit: p.caps.keyMonthly, name: "key's monthly" });
  return caps;
}

export interface PendingAccept {
  plan: AcceptPlan;
  /** When the request was taken: its rows and events carry this time. */
  now: number;
}

/**
 * Steps 8–9 of the pipeline and the outbox write for a batch of requests, in ONE transaction:
 * the wallets and spend counters of the batch's accounts are locked and read once; each plan is
 * then decided in arrival order against what the plans before it used (a cap it would exceed, a
 * balance it would overdraw: refused, without touching the others); the accepted plans' messages,
 * events, jobs, idempotency answers, ledger rows, and one debit per account are written; one
 * commit makes them all durable. Answers, per plan, null (committed) or its refusal.
 */
export async function commitBatch(tx: Store, all: PendingAccept[]): Promise<Array<AppError | null>> {
  // Idempotency-Keys first: a key another process committed since the request looked it up is
  // that request's, and this one is refused before it uses any money.
  const keyed = all.filter((b) => b.plan.idempotency);
  const now = Date.now();
  const claimed = await tx.idempotency.claimMany(
    keyed.map((b) => b.plan.idempotency!.claim),
    now - ABANDONED_AFTER_MS,
    now,
  );
  const lostKey = new Set(keyed.filter((b) => !claimed.has(`${b.plan.idempotency!.claim.accountId}\n${b.plan.idempotency!.claim.key}`)));
  const batch = all.filter((b) => !lostKey.has(b));

  const charged = batch.filter((b) => b.plan.charge > 0);
  const caps = new Map<PendingAccept, Cap[]>(charged.map((b) => [b, capsOf(b.plan.principal, b.now)]));
  const counters = new Map<string, CounterKey>();
  for (const list of caps.values()) for (const c of list) counters.set(counterId(c), c);
  const state: ChargeState = await tx.charges.lock([...new Set(charged.map((b) => b.plan.principal.accountId))], [...counters.values()]);

  const outcomes = new Map<PendingAccept, AppError | null>();
  for (const b of lostKey) outcomes.set(b, new AppError('idempotency_in_progress'));
  const accepted: PendingAccept[] = [];
  const debits = new Map<string, number>();
  const increments = new Map<string, CounterKey & { amount: number }>();
  const ledger: LedgerRow[] = [];
  const events: NewEvent[] = [];
  for (const b of batch) {
    const refusal = b.plan.charge > 0 ? decide(b, caps.get(b)!, state) : null;
    outcomes.set(b, refusal);
    if (refusal) continue;
    accepted.push(b);
    const { plan, now } = b;
    if (plan.charge === 0) continue;
    const accountId = plan.principal.accountId;
    const before = state.balances.get(accountId)!;
    const after = before - plan.charge;
    state.balances.set(accountId, after);
    debits.set(accountId, (debits.get(accountId) ?? 0) + plan.charge);
    for (const c of caps.get(b)!) {
      const id = counterId(c);
      state.spent.set(id, (state.spent.get(id) ?? 0) + plan.charge);
      increments.set(id, { scope: c.scope, period: c.period, amount: (increments.get(id)?.amount ?? 0) + plan.charge });
    }
    ledger.push({
      id: newId('led'),
      account_id: accountId,
      amount_micros: -plan.charge,
      balance_after_micros: after,
      kind: 'debit',
      reference: plan.reference,
      note: null,
      created_at: now,
    });
    const low = lowBalanceEvent(plan.principal, before, after, now, tx.currency);
    if (low) events.push(low);
  }
  const answer = () => all.map((b) => outcomes.get(b)!);
  // Refused requests leave their keys free (the HTTP layer stores the answers worth replaying).
  await tx.idempotency.releaseMany(batch.filter((b) => b.plan.idempotency && outcomes.get(b)).map((b) => b.plan.idempotency!.claim));
  if (accepted.length === 0) return answer();

  const campaigns: CampaignRow[] = [];
  const messages: MessageRow[] = [];
  const timeline: MessageEventRow[] = [];
  const jobs: JobRow[] = [];
  const messageEvents: NewEvent[] = [];
  for (const { plan, now } of accepted) {
    if (plan.campaign) campaigns.push(plan.campaign);
    for (const m of plan.messages) {
      messages.push(m);
      timeline.push({ id: newId('ev'), message_id: m.id, status: m.status, detail: null, created_at: now });
      jobs.push(deliveryJob(m, now));
      messageEvents.push({ accountId: m.account_id, type: messageEventType(m.status)!, data: messageView(m, tx.currency), at: now });
    }
  }
  const fanOut = await eventRows(tx, [...messageEvents, ...events]);
  // A product's own rows (a lookup, an OTP) first: its write may refuse the request (a race it lost).
  for (const { plan } of accepted) if (plan.write) await plan.write(tx);
  await tx.batchWrites.write({
    inserts: [
      { table: 'campaigns', rows: campaigns },
      { table: 'messages', rows: messages },
      { table: 'message_events', rows: timeline },
      { table: 'jobs', rows: [...jobs, ...fanOut.jobs] },
      { table: 'events', rows: fanOut.events },
      { table: 'webhook_deliveries', rows: fanOut.deliveries },
      { table: 'ledger', rows: ledger },
    ],
    debits,
    increments: [...increments.values()],
    answers: accepted.flatMap(({ plan }) =>
      plan.idempotency ? [{ accountId: plan.idempotency.claim.accountId, key: plan.idempotency.claim.key, status: plan.idempotency.status, body: plan.idempotency.body }] : [],
    ),
  });
  return answer();
}

/** Whether a plan fits its caps and its wallet, given what the batch's earlier plans used. */
function decide(b: PendingAccept, caps: Cap[], state: ChargeState): AppError | null {
  const charge = b.plan.charge;
  for (const c of caps) {
    if (c.limit !== null && (state.spent.get(counterId(c)) ?? 0) + charge > c.limit) {
      return new AppError('spend_cap_exceeded', `This request would exceed the ${c.name} spend cap`);
    }
  }
  const balance = state.balances.get(b.plan.principal.accountId);
  if (balance === undefined || balance < charge) return new AppError('insufficient_balance');
  return null;
}

function deliveryJob(m: MessageRow, now: number): JobRow {
  return {
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
  };
}

/** balance.low when this debit took the balance from at or above the account's threshold to below it. */
function lowBalanceEvent(p: Principal, before: number, after: number, now: number, currency: string): NewEvent | null {
  const threshold = p.balanceLowMicros;
  if (threshold === null || before < threshold || after >= threshold) return null;
  return {
    accountId: p.accountId,
    type: 'balance.low',
    data: { account_id: p.accountId, balance: formatMicros(after), threshold: formatMicros(threshold), currency },
    at: now,
  };
}

/** The group commit of accepted requests: see GroupCommit and commitBatch. */
export class AcceptCommitter {
  private readonly group: GroupCommit<PendingAccept, AppError | null>;

  constructor(store: Store, opts: { concurrency: number; maxMessages: number }) {
    this.group = new GroupCommit((items) => store.transaction((tx) => commitBatch(tx, items)), {
      concurrency: opts.concurrency,
      weight: (p) => Math.max(1, p.plan.messages.length),
      maxBatch: opts.maxMessages,
      // On PostgreSQL concurrent batches of one account would queue on its wallet row's lock;
      // SQLite has one writer and no row locks, so any batch may take any account.
      ...(store.dialect === 'postgres' ? { key: (p: PendingAccept) => p.plan.principal.accountId } : {}),
    });
  }

  /** Resolves once the plan is committed; rejects with its refusal (a cap, the wallet) or failure. */
  async commit(plan: AcceptPlan, now: number): Promise<void> {
    const refusal = await this.group.add({ plan, now });
    if (refusal) throw refusal;
  }
}
