import { newId } from '../../lib/ids.ts';
import type { CallEnd, CallOutcome, Codec, HangupBy } from '../../providers/voice/voice-provider.ts';
import type { CallRow } from '../../store/repos/calls.ts';
import type { Store } from '../../store/store.ts';
import { refund } from '../billing/wallet.ts';
import { recordEvents } from '../webhooks/events.ts';
import { callView, FINAL_CALL_STATUSES } from './views.ts';

/**
 * A call's steps: queued → ringing → in_progress → completed, or an end straight from queued or
 * ringing (busy, no_answer, failed, canceled). Each step is guarded by the statuses it leaves, so
 * a job run twice or a late cancel changes nothing twice; each writes its timeline entry in the
 * same transaction, and the end also its price, the refund of the unused hold and its event.
 */

/** Started minutes of answered time. */
export function billedMinutes(durationSeconds: number): number {
  return Math.ceil(durationSeconds / 60);
}

async function step(tx: Store, id: string, from: readonly string[], to: string, patch: Partial<CallRow>, detail: string | null, now: number): Promise<CallRow | undefined> {
  const row = await tx.calls.move(id, from, { ...patch, status: to, updated_at: now });
  if (row) await tx.calls.addEvent({ id: newId('ev'), call_id: id, status: to, detail, created_at: now });
  if (row && FINAL_CALL_STATUSES.has(to)) tx.signals.messagesFinished('voice', to, 1);
  return row;
}

/** The far end rings (the first 180/183); false when the call is no longer queued (canceled meanwhile). */
export async function markRinging(store: Store, id: string, provider: string, now: number): Promise<boolean> {
  return (await store.transaction((tx) => step(tx, id, ['queued'], 'ringing', { ringing_at: now, provider }, `via ${provider}`, now))) !== undefined;
}

/** The far end answered (200 OK); the message starts. False when the call was canceled meanwhile. */
export async function markAnswered(store: Store, id: string, codec: Codec, now: number): Promise<boolean> {
  return (await store.transaction((tx) => step(tx, id, ['queued', 'ringing'], 'in_progress', { answered_at: now, alive_at: now, codec }, codec, now))) !== undefined;
}

/** A timeline entry that is not a step: a trunk that failed before another is tried, a retry. */
export async function noteCall(store: Store, id: string, status: string, detail: string, now: number): Promise<void> {
  await store.calls.addEvent({ id: newId('ev'), call_id: id, status, detail: detail.slice(0, 500), created_at: now });
}

/** How a call ended, as the lifecycle records it. */
export interface CallEnding {
  status: CallEnd;
  sipCode: number | null;
  hangupBy: HangupBy;
  /** Seconds of answered time (0 when never answered). */
  durationSeconds: number;
  codec: Codec | null;
  provider: string | null;
  error: string | null;
}

/** The ending of an outcome the provider reported (its own measure of the answered time). */
export function endingOf(o: CallOutcome, provider: string): CallEnding {
  const answeredMs = o.answeredAt === null ? 0 : Math.max(0, o.endedAt - o.answeredAt);
  return {
    status: o.status,
    sipCode: o.sipCode,
    hangupBy: o.hangupBy,
    durationSeconds: Math.ceil(answeredMs / 1000),
    codec: o.codec,
    provider,
    error: o.error,
  };
}

/**
 * Ends a call: its final status, what it costs (started minutes × its rate, never more than
 * the hold), the rest of the hold refunded with a ledger row, and voice.completed or
 * voice.failed — one transaction. False when the call had already ended.
 */
export async function endCall(store: Store, id: string, e: CallEnding, currency: string, now: number): Promise<boolean> {
  return store.transaction(async (tx) => {
    const before = await tx.calls.byId(id);
    if (!before) return false;
    const price = Math.min(before.hold_micros, billedMinutes(e.durationSeconds) * before.rate_micros);
    const detail = [e.sipCode !== null ? `SIP ${e.sipCode}` : null, `hangup by ${e.hangupBy}`, e.error].filter((x) => x !== null).join('; ');
    const row = await step(
      tx,
      id,
      ['queued', 'ringing', 'in_progress'],
      e.status,
      {
        sip_code: e.sipCode,
        hangup_by: e.hangupBy,
        duration_seconds: e.durationSeconds,
        codec: e.codec ?? before.codec,
        provider: e.provider ?? before.provider,
        error: e.error,
        ended_at: now,
        price_micros: price,
      },
      detail,
      now,
    );
    if (!row) return false;
    const unused = before.hold_micros - price;
    const why = price === 0 ? `call ${e.status.replace('_', ' ')}: nothing to pay` : `call ${e.status}: ${billedMinutes(e.durationSeconds)} min of the ${billedMinutes(before.time_limit)} held`;
    await refund(tx, { id, account_id: row.account_id, sandbox: row.sandbox, price_micros: unused }, why, now);
    await recordEvents(tx, [{ accountId: row.account_id, type: e.status === 'completed' ? 'voice.completed' : 'voice.failed', data: callView(row, currency), at: now }], now);
    return true;
  });
}
