import { AppError, notFound, validationError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { parseRfc3339, rfc3339 } from '../../lib/time.ts';
import { Jobs } from '../../queue/catalogue.ts';
import { enqueue } from '../../queue/enqueue.ts';
import type { WebhookDeliveryRow } from '../../store/repos/webhooks.ts';
import type { ModuleContext } from '../context.ts';
import type { AuditActor } from '../people/actor.ts';
import { auditBy } from '../people/audit.ts';
import { checkCursor, cut, pageSize } from '../pagination.ts';
import { attemptDelivery } from './delivery.ts';
import { endpointOf } from './endpoints.ts';
import { eventPayload, newDelivery } from './events.ts';
import { WEBHOOK_REPLAY_MAX } from './policy.ts';
import { deliveryView } from './views.ts';

/** An endpoint's delivery log (every event sent, every attempt), manual retries and test events. */

async function deliveryViews(ctx: ModuleContext, rows: Array<WebhookDeliveryRow & { event_type: string }>) {
  const attempts = await ctx.store.webhooks.attemptsOf(rows.map((d) => d.id));
  return rows.map((d) => deliveryView(d, attempts.filter((a) => a.delivery_id === d.id)));
}

/** The delivery log of an endpoint, newest first, each delivery with every attempt. */
export async function listDeliveries(ctx: ModuleContext, accountId: string, endpointId: string, q: { limit?: number; cursor?: string; status?: string }) {
  await endpointOf(ctx, accountId, endpointId);
  checkCursor('whd', q.cursor);
  const size = pageSize(q.limit);
  const rows = await ctx.store.webhooks.deliveries(endpointId, { ...(q.cursor ? { before: q.cursor } : {}), ...(q.status ? { status: q.status } : {}), limit: size + 1 });
  const { shown, next_cursor } = cut(rows, size);
  return { data: await deliveryViews(ctx, shown), next_cursor };
}

/**
 * The webhook deliveries of every event about one of the account's messages (message.queued,
 * message.delivered…), newest first, each with its endpoint's URL and every attempt. Deliveries
 * made before their subject was stored (migration 0015) are not found.
 */
export async function messageDeliveries(ctx: ModuleContext, accountId: string, messageId: string, q: { limit?: number; cursor?: string }) {
  if (!(await ctx.store.messages.get(accountId, messageId))) throw notFound('Message');
  checkCursor('whd', q.cursor);
  const size = pageSize(q.limit);
  const rows = await ctx.store.webhooks.deliveriesAbout(accountId, messageId, { ...(q.cursor ? { before: q.cursor } : {}), limit: size + 1 });
  const { shown, next_cursor } = cut(rows, size);
  const views = await deliveryViews(ctx, shown);
  return { data: views.map((v, i) => ({ ...v, endpoint_url: shown[i]!.endpoint_url })), next_cursor };
}

async function deliveryOf(ctx: ModuleContext, endpointId: string, deliveryId: string) {
  const d = await ctx.store.webhooks.deliveryWithType(deliveryId);
  if (!d || d.endpoint_id !== endpointId) throw notFound('Webhook delivery');
  return d;
}

/**
 * Sends a settled delivery once more, now (in the background, as one attempt). A delivery still
 * being retried is refused: its next attempt is already scheduled.
 */
export async function retryDelivery(ctx: ModuleContext, accountId: string, endpointId: string, deliveryId: string, actor?: AuditActor) {
  const endpoint = await endpointOf(ctx, accountId, endpointId);
  const d = await deliveryOf(ctx, endpointId, deliveryId);
  if (endpoint.enabled !== 1) throw new AppError('conflict', 'The endpoint is disabled; enable it before retrying its deliveries');
  if (d.status === 'pending') {
    throw new AppError('conflict', `This delivery is still being retried; its next attempt is at ${rfc3339(d.next_attempt_at)}`);
  }
  const now = ctx.clock.now();
  await ctx.store.transaction(async (tx) => {
    await tx.webhooks.updateDelivery(d.id, { status: 'pending', next_attempt_at: now, updated_at: now });
    await enqueue(tx, [Jobs.deliverWebhook(d.id, endpointId, { once: true })], now);
    await auditBy(tx, actor, { accountId, action: 'webhook.retry', target: d.id, before: { status: d.status } }, now);
  });
  const [view] = await deliveryViews(ctx, [(await ctx.store.webhooks.deliveryWithType(d.id))!]);
  return view!;
}

/**
 * Sends again, now, every failed delivery of the endpoint created at or after `since` (at most
 * WEBHOOK_REPLAY_MAX per call), each as one attempt in the background like a single retry.
 * Deliveries still being retried are left to their schedule. Answers how many were replayed.
 */
export async function retryFailedSince(ctx: ModuleContext, accountId: string, endpointId: string, since: string, actor?: AuditActor) {
  const endpoint = await endpointOf(ctx, accountId, endpointId);
  const sinceMs = parseRfc3339(since);
  if (sinceMs === null) throw validationError([{ field: 'since', message: 'must be an RFC 3339 timestamp with an offset, such as 2026-12-01T09:00:00Z' }]);
  if (endpoint.enabled !== 1) throw new AppError('conflict', 'The endpoint is disabled; enable it before retrying its deliveries');
  const now = ctx.clock.now();
  const replayed = await ctx.store.transaction(async (tx) => {
    const candidates = await tx.webhooks.failedSince(endpointId, sinceMs, WEBHOOK_REPLAY_MAX);
    // The guarded update decides: a delivery another replay took meanwhile is not sent twice.
    const ids = await tx.webhooks.requeueFailed(
      candidates.map((d) => d.id),
      now,
    );
    await enqueue(
      tx,
      ids.map((id) => Jobs.deliverWebhook(id, endpointId, { once: true })),
      now,
    );
    if (ids.length > 0) await auditBy(tx, actor, { accountId, action: 'webhook.retry_failed', target: endpointId, after: { since: rfc3339(sinceMs), replayed: ids.length } }, now);
    return ids.length;
  });
  return { replayed };
}

/**
 * Sends a `webhook.test` event to the endpoint now, from this process, and answers how it went
 * (the attempt is in the delivery log like any other; it is not retried).
 */
export async function testEndpoint(ctx: ModuleContext, accountId: string, endpointId: string, actor?: AuditActor) {
  const endpoint = await endpointOf(ctx, accountId, endpointId);
  const now = ctx.clock.now();
  const type = 'webhook.test';
  const event = {
    id: newId('ev'),
    account_id: accountId,
    type,
    payload: eventPayload(type, { endpoint_id: endpoint.id, message: 'A test event from Hellio' }, now),
    created_at: now,
  };
  const delivery = newDelivery(event, endpoint.id, now, endpoint.id);
  await ctx.store.transaction(async (tx) => {
    await tx.events.insertMany([event]);
    await tx.webhooks.insertDeliveries([delivery]);
    await auditBy(tx, actor, { accountId, action: 'webhook.test', target: endpoint.id }, now);
  });
  // Disabled endpoints may be tested too: that is how an owner checks a fix before enabling.
  await attemptDelivery({ store: ctx.store, sender: ctx.webhookSender, clock: ctx.clock }, delivery.id, { attempt: 1, maxAttempts: 1 }, Math.random, { evenIfDisabled: true });
  const [view] = await deliveryViews(ctx, [(await ctx.store.webhooks.deliveryWithType(delivery.id))!]);
  return view!;
}
