import { AppError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { Jobs } from '../../queue/catalogue.ts';
import type { CallRow } from '../../store/repos/calls.ts';
import type { Store } from '../../store/store.ts';
import type { Principal } from '../access/auth.ts';
import { chargeFor, type ChargePlan, type Charged } from '../accept/plan.ts';
import { PriceTable } from '../billing/pricing.ts';
import type { ModuleContext } from '../context.ts';
import { type CallInput, type CallSpec, readCallInput } from './input.ts';
import { callView, type CallView } from './views.ts';
import { assertNotSuppressed } from '../suppressions/suppressions.ts';

/** What a call holds in the wallet until it ends: the rate × the started minutes of its time limit. */
export function holdFor(rate: number, timeLimitSeconds: number): number {
  return rate * Math.ceil(timeLimitSeconds / 60);
}

/** The caller id must be one of the account's approved sender numbers (as for SMS): nobody calls as someone else. */
export async function enforceCallerId(store: Store, accountId: string, from: string | null): Promise<void> {
  if (from === null) return;
  if (!(await store.cache.anyApproved(accountId, [{ kind: 'sms', value: from }]))) {
    throw new AppError('sender_not_approved', `The caller id "${from}" is not an approved sender number of this account`);
  }
}

/**
 * A new call's row, priced for its destination (a 422 when the operator set no voice price for
 * it). `shown` is the text the API shows (an OTP's code redacted); `sealed`, the real one sealed.
 */
export async function newCallRow(
  store: Store,
  principal: Principal,
  spec: CallSpec,
  extra: { id?: string; shown?: string; sealed?: string | null; otpId?: string | null },
  now: number,
): Promise<CallRow> {
  const rate = (await PriceTable.load(store, 'voice')).priceOf(spec.to, 'to');
  const hold = holdFor(rate, spec.timeLimit);
  return {
    id: extra.id ?? newId('call'),
    account_id: principal.accountId,
    key_id: principal.keyId,
    status: 'queued',
    to_number: spec.to,
    from_number: spec.from,
    text: extra.shown ?? spec.text,
    sealed_text: extra.sealed ?? null,
    otp_id: extra.otpId ?? null,
    language: spec.language,
    voice: spec.voice,
    repeat: spec.repeat,
    ring_timeout: spec.ringTimeout,
    time_limit: spec.timeLimit,
    rate_micros: rate,
    hold_micros: hold,
    price_micros: hold,
    sandbox: principal.test ? 1 : 0,
    reference: null,
    provider: null,
    sip_code: null,
    hangup_by: null,
    codec: null,
    duration_seconds: null,
    error: null,
    created_at: now,
    updated_at: now,
    ringing_at: null,
    answered_at: null,
    ended_at: null,
    alive_at: null,
    cancel_requested_at: null,
  };
}

/** The plan of accepting a call: its row, the first step of its timeline, its job, and the hold. */
export function callPlan(principal: Principal, call: CallRow, at: number): ChargePlan {
  return {
    principal,
    at,
    charge: chargeFor(principal, call.hold_micros),
    reference: call.id,
    rows: {
      calls: [call],
      call_events: [{ id: newId('ev'), call_id: call.id, status: 'queued', detail: null, created_at: at }],
    },
    jobs: [Jobs.placeCall(call.id)],
    events: [],
  };
}

/** POST /voice/send: checks, prices and holds; the call is placed by the worker once committed. */
export async function planCall(ctx: ModuleContext, principal: Principal, input: CallInput): Promise<Charged<CallView>> {
  const spec = readCallInput(ctx.speech, input);
  await enforceCallerId(ctx.store, principal.accountId, spec.from);
  // A number that opted out (STOP) is not called either: the number list covers every channel that dials it.
  await assertNotSuppressed(ctx.store, principal.accountId, 'sms', [spec.to]);
  const now = ctx.clock.now();
  const call = await newCallRow(ctx.store, principal, spec, {}, now);
  return { plan: callPlan(principal, call, now), result: callView(call, ctx.currency) };
}
