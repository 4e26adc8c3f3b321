import { attemptDelivery, WEBHOOK_BACKOFF } from '../modules/webhook-delivery.ts';
import { WEBHOOK_ENDPOINT_CONCURRENCY, WEBHOOK_JOB_KIND, WEBHOOK_MAX_ATTEMPTS } from '../modules/webhook-policy.ts';
import type { WebhookSender } from '../providers/webhooks/webhook-sender.ts';
import type { JobDefinition } from '../queue/job-definition.ts';
import type { Store } from '../store/store.ts';

/**
 * The job that delivers one event to one endpoint. The attempt logs itself, decides its own
 * retry (the log shows when the next one comes) and settles the job to match, all in one
 * transaction.
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
        // The attempt settles the job in its own transaction, with the retry it scheduled (if any).
        await attemptDelivery({ store, sender }, delivery_id, { attempt: ctx.attempt, maxAttempts: ctx.maxAttempts }, Math.random, { job: ctx });
      },
    },
  ];
}
