import { formatMicros } from '../../lib/money.ts';
import { rfc3339 } from '../../lib/time.ts';
import type { CallEventRow, CallRow } from '../../store/repos/calls.ts';

/** Every status a call can have (SPEC §3). */
export const CALL_STATUSES = ['queued', 'ringing', 'in_progress', 'completed', 'busy', 'no_answer', 'failed', 'canceled'] as const;

export type CallStatus = (typeof CALL_STATUSES)[number];

/** Statuses a call never leaves. */
export const FINAL_CALL_STATUSES: ReadonlySet<string> = new Set(['completed', 'busy', 'no_answer', 'failed', 'canceled']);

/**
 * A call as the API shows it; webhook events carry the same shape as `data`. `price` is what the
 * call costs: the hold while it runs, the answered minutes × `price_per_minute` once it ended.
 */
export function callView(c: CallRow, currency: string) {
  return {
    id: c.id,
    status: c.status as CallStatus,
    to: c.to_number,
    from: c.from_number,
    text: c.text,
    language: c.language,
    voice: c.voice,
    repeat: c.repeat,
    ring_timeout: c.ring_timeout,
    time_limit: c.time_limit,
    duration_seconds: c.duration_seconds,
    sip_code: c.sip_code,
    hangup_by: c.hangup_by,
    codec: c.codec,
    price: formatMicros(c.price_micros),
    price_per_minute: formatMicros(c.rate_micros),
    currency,
    sandbox: c.sandbox === 1,
    otp_id: c.otp_id,
    error: c.error,
    created_at: rfc3339(c.created_at),
    ringing_at: rfc3339(c.ringing_at),
    answered_at: rfc3339(c.answered_at),
    ended_at: rfc3339(c.ended_at),
    updated_at: rfc3339(c.updated_at),
  };
}

export type CallView = ReturnType<typeof callView>;

/** One step of a call's timeline. */
export function callEventView(e: CallEventRow) {
  return { id: e.id, status: e.status, detail: e.detail, created_at: rfc3339(e.created_at) };
}
