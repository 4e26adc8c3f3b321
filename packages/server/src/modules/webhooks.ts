import { AppError, type FieldError, notFound, validationError } from '../lib/errors.ts';
import { newId } from '../lib/ids.ts';
import { rfc3339 } from '../lib/time.ts';
import { newWebhookSecret } from '../lib/webhook-signature.ts';
import type { WebhookAttemptRow, WebhookDeliveryRow, WebhookEndpointRow } from '../store/repos/webhooks.ts';
import type { ModuleContext } from './context.ts';
import { deliveryJob, eventPayload, EVENT_TYPES, isEventType, newDelivery } from './events.ts';
import { attemptDelivery, endpointView } from './webhook-delivery.ts';
import { WEBHOOK_MAX_ENDPOINTS, WEBHOOK_ROTATION_OVERLAP_MS } from './webhook-policy.ts';
import { checkCursor, cut, page, type Page, pageSize } from './pagination.ts';

/** Webhook endpoints (SPEC §3 /webhooks): register, change, rotate secrets, read the delivery log. */

export interface EndpointInput {
  url?: string;
  events?: string[];
  description?: string | null;
  enabled?: boolean;
}

const MAX_URL = 2048;

async function checkInput(ctx: ModuleContext, input: EndpointInput): Promise<string[] | undefined> {
  const errors: FieldError[] = [];
  let events: string[] | undefined;
  if (input.events !== undefined) {
    events = [...new Set(input.events)];
    if (events.length === 0) errors.push({ field: 'events', message: `must name at least one event type, or "*" for all` });
    input.events.forEach((t, i) => {
      if (t !== '*' && !isEventType(t)) errors.push({ field: `events[${i}]`, message: `is not an event type (${EVENT_TYPES.join(', ')}, or "*")` });
    });
  }
  if (input.url !== undefined) {
    if (input.url.length > MAX_URL) errors.push({ field: 'url', message: `must be at most ${MAX_URL} characters` });
    else {
      const refused = await ctx.webhookSender.checkTarget(input.url);
      if (refused !== null) errors.push({ field: 'url', message: refused });
    }
  }
  if (errors.length > 0) throw validationError(errors);
  return events;
}

async function endpointOf(ctx: ModuleContext, accountId: string, id: string): Promise<WebhookEndpointRow> {
  const e = await ctx.store.webhooks.endpoint(accountId, id);
  if (!e) throw notFound('Webhook endpoint');
  return e;
}

/** Registers an endpoint; the answer carries its signing secret, which is never shown again. */
export async function createEndpoint(ctx: ModuleContext, accountId: string, input: Required<Pick<EndpointInput, 'url' | 'events'>> & EndpointInput) {
  const events = await checkInput(ctx, input);
  const now = Date.now();
  const row: WebhookEndpointRow = {
    id: newId('wh'),
    account_id: accountId,
    url: input.url,
    description: input.description ?? null,
    events: JSON.stringify(events),
    enabled: input.enabled === false ? 0 : 1,
    disabled_reason: input.enabled === false ? 'disabled by the account' : null,
    secret: newWebhookSecret(),
    previous_secret: null,
    previous_secret_until: null,
    failing_since: null,
    created_at: now,
    updated_at: now,
  };
  await ctx.store.transaction(async (tx) => {
    if ((await tx.webhooks.countEndpoints(accountId)) >= WEBHOOK_MAX_ENDPOINTS) {
      throw new AppError('conflict', `An account can have at most ${WEBHOOK_MAX_ENDPOINTS} webhook endpoints`);
    }
    await tx.webhooks.insertEndpoint(row);
  });
  return { ...endpointView(row), secret: row.secret };
}

export async function listEndpoints(ctx: ModuleContext, accountId: string, q: { limit?: number; cursor?: string }): Promise<Page<ReturnType<typeof endpointView>>> {
  checkCursor('wh', q.cursor);
  const size = pageSize(q.limit);
  return page(await ctx.store.webhooks.endpoints(accountId, q.cursor, size + 1), size, endpointView);
}

export async function getEndpoint(ctx: ModuleContext, accountId: string, id: string) {
  return endpointView(await endpointOf(ctx, accountId, id));
}

/** Changes what is given; enabling clears the reason it was disabled and its run of failures. */
export async function updateEndpoint(ctx: ModuleContext, accountId: string, id: string, input: EndpointInput) {
  const current = await endpointOf(ctx, accountId, id);
  const events = await checkInput(ctx, input);
  const now = Date.now();
  const enabled = input.enabled === undefined ? current.enabled : input.enabled ? 1 : 0;
  await ctx.store.webhooks.updateEndpoint(id, {
    ...(input.url !== undefined ? { url: input.url } : {}),
    ...(events !== undefined ? { events: JSON.stringify(events) } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
    ...(input.enabled !== undefined && enabled !== current.enabled
      ? enabled === 1
        ? { enabled, disabled_reason: null, failing_since: null }
        : { enabled, disabled_reason: 'disabled by the account' }
      : {}),
    updated_at: now,
  });
  return getEndpoint(ctx, accountId, id);
}

export async function deleteEndpoint(ctx: ModuleContext, accountId: string, id: string): Promise<{ id: string; deleted: true }> {
  const deleted = await ctx.store.transaction((tx) => tx.webhooks.deleteEndpoint(accountId, id));
  if (!deleted) throw notFound('Webhook endpoint');
  return { id, deleted: true };
}

/**
 * A new signing secret, shown once. The one it replaces keeps signing beside it for
 * WEBHOOK_ROTATION_OVERLAP_MS, so receivers can switch over without losing a message; a second
 * rotation inside that window retires the oldest at once.
 */
export async function rotateSecret(ctx: ModuleContext, accountId: string, id: string) {
  const e = await endpointOf(ctx, accountId, id);
  const now = Date.now();
  const secret = newWebhookSecret();
  const until = now + WEBHOOK_ROTATION_OVERLAP_MS;
  await ctx.store.webhooks.updateEndpoint(id, { secret, previous_secret: e.secret, previous_secret_until: until, updated_at: now });
  return { ...(await getEndpoint(ctx, accountId, id)), secret, previous_secret_expires_at: rfc3339(until) };
}

function deliveryView(d: WebhookDeliveryRow & { event_type: string }, attempts: WebhookAttemptRow[]) {
  return {
    id: d.id,
    endpoint_id: d.endpoint_id,
    event_id: d.event_id,
    event_type: d.event_type,
    status: d.status,
    attempt_count: d.attempts,
    last_status_code: d.last_status_code,
    last_error: d.last_error,
    next_attempt_at: rfc3339(d.next_attempt_at),
    created_at: rfc3339(d.created_at),
    updated_at: rfc3339(d.updated_at),
    attempts: attempts.map((a) => ({
      id: a.id,
      attempt: a.attempt,
      status_code: a.status_code,
      error: a.error,
      duration_ms: a.duration_ms,
      response_excerpt: a.response_excerpt,
      next_retry_at: rfc3339(a.next_retry_at),
      created_at: rfc3339(a.created_at),
    })),
  };
}

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

async function deliveryOf(ctx: ModuleContext, endpointId: string, deliveryId: string) {
  const d = await ctx.store.webhooks.deliveryWithType(deliveryId);
  if (!d || d.endpoint_id !== endpointId) throw notFound('Webhook delivery');
  return d;
}

/**
 * Sends a settled delivery once more, now (in the background, as one attempt). A delivery still
 * being retried is refused: its next attempt is already scheduled.
 */
export async function retryDelivery(ctx: ModuleContext, accountId: string, endpointId: string, deliveryId: string) {
  const endpoint = await endpointOf(ctx, accountId, endpointId);
  const d = await deliveryOf(ctx, endpointId, deliveryId);
  if (endpoint.enabled !== 1) throw new AppError('conflict', 'The endpoint is disabled; enable it before retrying its deliveries');
  if (d.status === 'pending') {
    throw new AppError('conflict', `This delivery is still being retried; its next attempt is at ${rfc3339(d.next_attempt_at)}`);
  }
  const now = Date.now();
  await ctx.store.transaction(async (tx) => {
    await tx.webhooks.updateDelivery(d.id, { status: 'pending', next_attempt_at: now, updated_at: now });
    await tx.jobs.insertMany([deliveryJob(d.id, endpointId, now, 1)]);
  });
  const [view] = await deliveryViews(ctx, [(await ctx.store.webhooks.deliveryWithType(d.id))!]);
  return view!;
}

/**
 * Sends a `webhook.test` event to the endpoint now, from this process, and answers how it went
 * (the attempt is in the delivery log like any other; it is not retried).
 */
export async function testEndpoint(ctx: ModuleContext, accountId: string, endpointId: string) {
  const endpoint = await endpointOf(ctx, accountId, endpointId);
  const now = Date.now();
  const type = 'webhook.test';
  const event = {
    id: newId('ev'),
    account_id: accountId,
    type,
    payload: eventPayload(type, { endpoint_id: endpoint.id, message: 'A test event from Hellio' }, now),
    created_at: now,
  };
  const delivery = newDelivery(event, endpoint.id, now);
  await ctx.store.transaction(async (tx) => {
    await tx.events.insertMany([event]);
    await tx.webhooks.insertDeliveries([delivery]);
  });
  // Disabled endpoints may be tested too: that is how an owner checks a fix before enabling.
  await attemptDelivery({ store: ctx.store, sender: ctx.webhookSender }, delivery.id, { attempt: 1, maxAttempts: 1 }, Math.random, { evenIfDisabled: true });
  const [view] = await deliveryViews(ctx, [(await ctx.store.webhooks.deliveryWithType(delivery.id))!]);
  return view!;
}
