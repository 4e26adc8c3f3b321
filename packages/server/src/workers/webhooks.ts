import { attemptDelivery, WEBHOOK_BACKOFF } from '../modules/webhook-delivery.ts';
import { WEBHOOK_ENDPOINT_CONCURRENCY, WEBHOOK_JOB_KIND, WEBHOOK_MAX_ATTEMPTS } from '../modules/webhook-policy.ts';
import type { WebhookSender } from '../providers/webhooks/webhook-sender.ts';
import { type JobDefinition, RetryLater } from '../queue/job-definition.ts';
import type { Store } from '../store/store.ts';

/**
 * The job that delivers one event to one endpoint. The attempt logs itself and decides its own
 * retry (the log shows when the next one comes), so the queue is told the exact delay.
 */
export function webhookJobs(store: Store, sender: WebhookSender, timeoutMs: number): JobDefinition[] {
  return [
    {
      kind: WEBHOOK_JOB_KIND,
      // The HTTP attempt has its own limit; this one covers the bookkeeping around it.
      timeoutMs: timeoutMs + 15_000,
      maxAttempts: WEBHOOK_MAX_ATTEMPTS,
      backoff: WEBHOOK_BACKOFF,
      groupConcurrency: WEBHOOK_ENDPOINT_CONCURRENCY,
      async handle(payload, ctx) {
        const { delivery_id } = payload as { delivery_id: string };
        const outcome = await attemptDelivery({ store, sender }, delivery_id, { attempt: ctx.attempt, maxAttempts: ctx.maxAttempts });
        if (outcome.retryInMs !== null) {
          const a = outcome.attempt!;
          throw new RetryLater(a.error ?? `HTTP ${a.status_code}`, outcome.retryInMs, true);
        }
      },
    },
  ];
}
