import type { Clock } from '../../lib/clock.ts';
import { messageSid, twilioSignature } from '../../lib/twilio.ts';
import { Jobs } from '../../queue/catalogue.ts';
import { enqueue } from '../../queue/enqueue.ts';
import type { WebhookSender } from '../../providers/webhooks/webhook-sender.ts';
import type { MessageRow } from '../../store/repos/messages.ts';
import type { Store } from '../../store/store.ts';
import { FINAL_STATUSES } from '../messages/views.ts';
import { dlrMaskBit, kannelDlrUrl } from './kannel.ts';
import { twilioErrorCode, twilioStatus, TWILIO_API_VERSION } from './twilio-status.ts';

/**
 * Status callbacks of the compatibility APIs: Twilio's StatusCallback (a signed form POST) and
 * Kannel's dlr-url (a GET with its escapes filled in). A message sent with one has a row in
 * message_callbacks; each move of its status queues a `compat.status_callback` job in the
 * move's transaction (`queueStatusCallbacks`), and the job makes the request.
 */

/**
 * The statuses reported to a Twilio StatusCallback: Twilio's sent, delivered, undelivered and
 * failed, and canceled. Not queued (the create's answer says it) nor sending: a move to sending
 * then costs the delivery path no read at all.
 */
const TWILIO_REPORTED: ReadonlySet<string> = new Set(['sent', 'delivered', 'undelivered', 'failed', 'bounced', 'canceled']);

/** True when a callback reports `status`: Twilio's every status but queued, Kannel's those of its dlr-mask. */
function reports(c: { kind: string; mask: number | null }, status: string): boolean {
  return c.kind === 'twilio' ? TWILIO_REPORTED.has(status) : ((c.mask ?? 0) & (dlrMaskBit(status) ?? 0)) !== 0;
}

/**
 * Queues a callback job for each of these messages, just moved to `status`, that has a callback
 * wanting it — and, at a final status, for every callback, so that its row is removed after the
 * reports queued before it (a final status the mask leaves out sends nothing). Call in the move's
 * transaction (modules/messages/lifecycle.ts): one indexed read per move, nothing more for
 * messages without a callback.
 */
export async function queueStatusCallbacks(tx: Store, moved: readonly MessageRow[], status: string, now: number): Promise<void> {
  if (moved.length === 0 || (!TWILIO_REPORTED.has(status) && dlrMaskBit(status) === null && !FINAL_STATUSES.has(status))) return;
  const callbacks = await tx.messageCallbacks.forMessages(moved.map((m) => m.id));
  const jobs = callbacks.filter((c) => reports(c, status) || FINAL_STATUSES.has(status)).map((c) => Jobs.statusCallback(c.message_id, status));
  if (jobs.length > 0) await enqueue(tx, jobs, now);
}

/** The last attempt at a final status's callback failed: its row (and sealed key) goes all the same. */
export async function abandonStatusCallback(deps: Pick<CallbackDeps, 'store'>, messageId: string, status: string): Promise<void> {
  if (FINAL_STATUSES.has(status)) await deps.store.messageCallbacks.delete(messageId);
}

/** What making a callback needs: the store, the clock, and the guarded sender webhooks use. */
export interface CallbackDeps {
  store: Store;
  clock: Clock;
  sender: WebhookSender;
}

/** A callback that did not get a 2xx: the job is retried on the webhooks' schedule. */
export class CallbackFailed extends Error {
  override name = 'CallbackFailed';
}

/**
 * Makes one status callback. The message's row gives the fields; the callback's row the URL and,
 * for Twilio, the token that signs. After the message's final status is reported the callback's
 * row (and the sealed key in it) is deleted. Throws CallbackFailed for an answer that is not 2xx.
 */
export async function deliverStatusCallback(deps: CallbackDeps, messageId: string, status: string): Promise<void> {
  const callback = await deps.store.messageCallbacks.get(messageId);
  const message = callback ? (await deps.store.delivery.getMessages([messageId]))[0] : undefined;
  // Gone: a later final status was already reported, or retention removed the message.
  if (!callback || !message) return;
  if (!reports(callback, status)) {
    if (FINAL_STATUSES.has(status)) await deps.store.messageCallbacks.delete(messageId);
    return;
  }
  const res =
    callback.kind === 'twilio'
      ? await postTwilio(deps, callback.url, callback.token ?? '', message, status)
      : await deps.sender.get(kannelDlrUrl(callback.url, message, status, deps.clock.now()), {});
  if (res.kind === 'no_answer') throw new CallbackFailed(`status callback: ${res.error}`);
  if (res.status < 200 || res.status > 299) throw new CallbackFailed(`status callback answered ${res.status}`);
  if (FINAL_STATUSES.has(status)) await deps.store.messageCallbacks.delete(messageId);
}

async function postTwilio(deps: CallbackDeps, url: string, authToken: string, m: MessageRow, status: string) {
  const account = await deps.store.accounts.get(m.account_id);
  const params: Record<string, string> = {
    AccountSid: account?.twilio_account_sid ?? '',
    ApiVersion: TWILIO_API_VERSION,
    From: m.sender,
    MessageSid: messageSid(m.id)!,
    MessageStatus: twilioStatus(status),
    SmsSid: messageSid(m.id)!,
    SmsStatus: twilioStatus(status),
    To: m.recipient,
  };
  const code = twilioErrorCode(status);
  if (code !== null) params.ErrorCode = String(code);
  return deps.sender.post(url, { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(authToken, url, params) }, new URLSearchParams(params).toString());
}
