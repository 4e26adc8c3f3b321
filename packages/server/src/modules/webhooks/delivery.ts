import type { Clock } from '../../lib/clock.ts';
import { newId } from '../../lib/ids.ts';
import { rfc3339 } from '../../lib/time.ts';
import { signWebhook } from '../../lib/webhook-signature.ts';
import type { WebhookSender } from '../../providers/webhooks/webhook-sender.ts';
import { JOB_POLICIES, WEBHOOK_RETRY_SCHEDULE_MS } from '../../queue/catalogue.ts';
import { type JobContext, retryDelayMs } from '../../queue/job-definition.ts';
import { settleInTransaction } from '../../queue/settle.ts';
import type { WebhookAttemptRow, WebhookEndpointRow } from '../../store/repos/webhooks.ts';
import type { Store } from '../../store/store.ts';
import { recordEvents } from './events.ts';
import { endpointView } from './views.ts';
import { WEBHOOK_DISABLE_AFTER_MS } from './policy.ts';

const POLICY = JOB_POLICIES['webhook.deliver'];

// A Retry-After longer than the longest step of the schedule is taken as that step.
const MAX_HINT_MS = Math.max(...WEBHOOK_RETRY_SCHEDULE_MS);

/** What an attempt needs: the store, the way out, and the clock its log and retries follow. */
export interface DeliveryDeps {
  store: Store;
  sender: WebhookSender;
  clock: Clock;
}

export interface AttemptOutcome {
  /** The attempt as logged; null when none was made (delivery settled, endpoint gone or disabled). */
  attempt: WebhookAttemptRow | null;
  /** When an automatic retry is due: the queue must run the job again after this long. */
  retryInMs: number | null;
}

/** The signing secrets in force: the current one, and the one a rotation replaced for its overlap. */
export function signingSecrets(e: WebhookEndpointRow, now: number): string[] {
  return e.previous_secret !== null && (e.previous_secret_until ?? 0) > now ? [e.secret, e.previous_secret] : [e.secret];
}

/**
 * One attempt to deliver one event to one endpoint, logged whatever comes of it. `attempt` of
 * `maxAttempts` is the queue's count: before the last one a failure schedules the next retry
 * (the schedule's step, jittered, or the receiver's Retry-After if later); after it the delivery
 * has failed. A 410 disables the endpoint at once; so does a run of failures as long as
 * WEBHOOK_DISABLE_AFTER_MS — each with a webhook.disabled event for the account.
 */
export async function attemptDelivery(
  deps: DeliveryDeps,
  deliveryId: string,
  run: { attempt: number; maxAttempts: number },
  random = Math.random,
  opts: {
    evenIfDisabled?: boolean;
    /**
     * The queue run making this attempt: its job is settled in the attempt's own transaction
     * (done, or pending until the retry), one commit for both. Without it (a manual retry) the
     * caller settles whatever it must.
     */
    job?: JobContext;
  } = {},
): Promise<AttemptOutcome> {
  const { store } = deps;
  const none = { attempt: null, retryInMs: null };
  const delivery = await store.webhooks.delivery(deliveryId);
  // Settled meanwhile (a manual retry succeeded), or deleted with its endpoint.
  if (!delivery || delivery.status !== 'pending') return none;
  const endpoint = await store.webhooks.endpointById(delivery.endpoint_id);
  const event = await store.events.get(delivery.event_id);
  if (!endpoint || !event) return none;
  if (endpoint.enabled !== 1 && !opts.evenIfDisabled) {
    await store.webhooks.updateDelivery(delivery.id, { status: 'failed', last_error: 'endpoint disabled', next_attempt_at: null, updated_at: deps.clock.now() });
    return none;
  }

  const sentAt = deps.clock.now();
  const timestamp = Math.floor(sentAt / 1000);
  const response = await deps.sender.post(endpoint.url, {
    'webhook-id': event.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(signingSecrets(endpoint, sentAt), event.id, timestamp, event.payload),
  }, event.payload);

  const now = deps.clock.now();
  const succeeded = response.kind === 'answered' && response.status >= 200 && response.status < 300;
  const gone = response.kind === 'answered' && response.status === 410;
  const statusCode = response.kind === 'answered' ? response.status : null;
  const error = response.kind === 'no_answer' ? response.error : succeeded ? null : `HTTP ${response.status}`;

  return store.transaction(async (tx) => {
    let disabledBy: string | null = null;
    if (succeeded) await tx.webhooks.noteSuccess(endpoint.id);
    else if (gone) disabledBy = 'the endpoint answered 410 Gone';
    else {
      const since = await tx.webhooks.noteFailure(endpoint.id, now);
      if (now - since >= WEBHOOK_DISABLE_AFTER_MS) disabledBy = `every attempt has failed since ${rfc3339(since)}`;
    }
    if (disabledBy !== null && (await tx.webhooks.disableEndpoint(endpoint.id, disabledBy, now))) {
      const disabled = { ...endpoint, enabled: 0, disabled_reason: disabledBy, updated_at: now };
      await recordEvents(tx, [{ accountId: endpoint.account_id, type: 'webhook.disabled', data: endpointView(disabled) }], now);
    }

    const retry = !succeeded && disabledBy === null && run.attempt < run.maxAttempts;
    const hint = response.kind === 'answered' && response.retryAfterMs !== undefined ? Math.min(response.retryAfterMs, MAX_HINT_MS) : undefined;
    const retryInMs = retry ? retryDelayMs(POLICY, run.attempt, hint, random) : null;
    const nextAt = retryInMs === null ? null : now + retryInMs;
    const row: WebhookAttemptRow = {
      id: newId('wha'),
      delivery_id: delivery.id,
      endpoint_id: endpoint.id,
      attempt: delivery.attempts + 1,
      status_code: statusCode,
      error,
      duration_ms: response.durationMs,
      response_excerpt: response.kind === 'answered' ? response.excerpt : null,
      next_retry_at: nextAt,
      created_at: now,
    };
    await tx.webhooks.insertAttempt(row);
    await tx.webhooks.updateDelivery(delivery.id, {
      status: succeeded ? 'succeeded' : retry ? 'pending' : 'failed',
      attempts: delivery.attempts + 1,
      last_status_code: statusCode,
      last_error: error,
      next_attempt_at: nextAt,
      updated_at: now,
    });
    if (opts.job) {
      await settleInTransaction(
        tx,
        [opts.job],
        nextAt === null ? { status: 'done' } : { status: 'pending', runAt: nextAt, error: error ?? `HTTP ${statusCode}` },
        now,
      );
    }
    tx.signals.webhookAttempt(succeeded ? 'succeeded' : retry ? 'retrying' : 'failed');
    return { attempt: row, retryInMs };
  });
}
