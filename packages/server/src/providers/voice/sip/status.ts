/** How a final SIP answer to our INVITE maps to a call's end (issue 14's table). */
import type { CallEnd, HangupBy } from '../voice-provider.ts';

/** Why we sent a CANCEL, if we did: it decides what a 487 means. */
export type CancelReason = 'ring_timeout' | 'abort' | null;

/** The status, hangup side and trunk-failure flag of a non-2xx final answer. */
export function finalStatus(code: number, canceled: CancelReason): { status: CallEnd; hangupBy: HangupBy; trunkFailure: boolean } {
  if (code === 486 || code === 600 || code === 603) return { status: 'busy', hangupBy: 'callee', trunkFailure: false };
  if (code === 487 && canceled === 'abort') return { status: 'canceled', hangupBy: 'system', trunkFailure: false };
  if (code === 487 && canceled === 'ring_timeout') return { status: 'no_answer', hangupBy: 'system', trunkFailure: false };
  if (code === 408 || code === 480) return { status: 'no_answer', hangupBy: 'callee', trunkFailure: false };
  if (code === 500 || code === 502 || code === 503 || code === 504) return { status: 'failed', hangupBy: 'system', trunkFailure: true };
  // Any other final answer after a CANCEL still ends the call as the CANCEL meant.
  if (canceled === 'abort') return { status: 'canceled', hangupBy: 'system', trunkFailure: false };
  if (canceled === 'ring_timeout') return { status: 'no_answer', hangupBy: 'system', trunkFailure: false };
  return { status: 'failed', hangupBy: 'system', trunkFailure: false };
}
