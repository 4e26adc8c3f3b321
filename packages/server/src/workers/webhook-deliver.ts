import { attemptDelivery, type DeliveryDeps } from '../modules/webhooks/delivery.ts';
import type { JobHandlers } from '../queue/handlers.ts';

/**
 * The handler of the job that delivers one event to one endpoint. The attempt logs itself, decides
 * its own retry (the log shows when the next one comes) and settles the job to match, all in one
 * transaction.
 */
export function webhookHandlers(deps: DeliveryDeps, opts: { timeoutMs: number }): Pick<JobHandlers, 'webhook.deliver'> {
  return {
    'webhook.deliver': {
      // The HTTP attempt has its own limit; this one also covers the bookkeeping around it.
      timeoutMs: opts.timeoutMs + 15_000,
      async handle({ delivery_id }, run) {
        await attemptDelivery(deps, delivery_id, { attempt: run.attempt, maxAttempts: run.maxAttempts }, Math.random, { job: run });
      },
    },
  };
}
