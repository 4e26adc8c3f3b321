import type { NewJob } from '../../queue/catalogue.ts';
import type { Database, NewRow } from '../../store/schema.ts';
import type { Store } from '../../store/store.ts';
import type { Principal } from '../access/auth.ts';
import type { IdempotencyClaim } from '../access/idempotency.ts';
import type { NewEvent } from '../webhooks/events.ts';

/** Rows by table, as a plan adds them (timeline entries without the columns only `retrying` entries fill). */
export type PlanRows = { [T in keyof Database]?: Array<T extends 'message_events' ? NewRow<T> : Database[T]> };

/**
 * Everything one charged request writes, described as data before any of it is written, so that
 * the plans of many concurrent requests commit in one transaction (accept/committer.ts). Every
 * product that charges builds one: a send, a lookup, a verification, an OTP.
 */
export interface ChargePlan {
  principal: Principal;
  /** When the request was taken: its rows, events and ledger entry carry this time. */
  at: number;
  /** Micro-units to debit; 0 for a sandbox (cs_test_) key (see `chargeFor`). */
  charge: number;
  /** The ledger row's reference: the campaign, message, lookup… the money paid for. */
  reference: string;
  /** The rows the request adds, written set-based with the rest of its batch. */
  rows: PlanRows;
  /** The background work it starts (message deliveries). */
  jobs: NewJob[];
  /** What it announces (message.queued, …): recorded and fanned out to webhooks in the commit. */
  events: NewEvent[];
  /**
   * A product's guarded write that may refuse the request (an OTP resend that lost a race): runs
   * first in the commit's transaction, once the charge is decided; throwing refuses this request.
   */
  write?: (tx: Store) => Promise<void>;
}

/** A charged request, planned: what to commit, and the domain result to answer once it has committed. */
export interface Charged<R> {
  plan: ChargePlan;
  result: R;
}

/**
 * The answer an Idempotency-Key keeps for replays, stored in the commit's transaction. The HTTP
 * layer makes it from the result (status and exact bytes); modules never see HTTP.
 */
export interface StoredAnswer {
  claim: IdempotencyClaim;
  status: number;
  body: string;
}

/** The group commit of charged requests, as modules see it. */
export interface Accepts {
  /** Resolves once the plan (and its answer) committed; rejects with its refusal (a cap, the wallet) or failure. */
  commit(plan: ChargePlan, answer: StoredAnswer | null): Promise<void>;
}

/** What a principal pays for a price: nothing with a sandbox key. */
export function chargeFor(principal: Principal, price: number): number {
  return principal.test ? 0 : price;
}
