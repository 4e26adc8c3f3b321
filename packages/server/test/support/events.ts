import { newId } from '../../src/lib/ids.ts';
import type { Runtime } from '../../src/main.ts';

/**
 * Subscribes an account to every event through an endpoint nobody answers, so that its events are
 * stored (an event no endpoint subscribes to is not: docs/retention.md) and a test can read them
 * with `store.events.list`. Deliveries to it fail and are retried in the background, harmlessly.
 */
export async function keepEvents(rt: Pick<Runtime, 'store' | 'clock'>, accountId: string): Promise<void> {
  const now = rt.clock.now();
  await rt.store.webhooks.insertEndpoint({
    id: newId('wh'),
    account_id: accountId,
    url: 'http://127.0.0.1:9/events',
    description: 'test: keeps the events',
    events: '["*"]',
    enabled: 1,
    disabled_reason: null,
    secret: `whsec_${Buffer.alloc(24, 1).toString('base64')}`,
    previous_secret: null,
    previous_secret_until: null,
    failing_since: null,
    created_at: now,
    updated_at: now,
  });
}
