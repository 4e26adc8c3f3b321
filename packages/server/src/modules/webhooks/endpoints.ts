import { AppError, type FieldError, notFound, validationError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { rfc3339 } from '../../lib/time.ts';
import { newWebhookSecret } from '../../lib/webhook-signature.ts';
import type { WebhookEndpointRow } from '../../store/repos/webhooks.ts';
import type { ModuleContext } from '../context.ts';
import type { AuditActor } from '../people/actor.ts';
import { auditBy } from '../people/audit.ts';
import { checkCursor, page, type Page, pageSize } from '../pagination.ts';
import { EVENT_TYPES, isEventType } from './events.ts';
import { WEBHOOK_MAX_ENDPOINTS, WEBHOOK_ROTATION_OVERLAP_MS } from './policy.ts';
import { endpointView } from './views.ts';

/** Webhook endpoints (SPEC §3 /webhooks): register, change, delete, rotate secrets. */

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

/** One of the account's endpoints; another account's id is "not found", exactly like a missing one. */
export async function endpointOf(ctx: ModuleContext, accountId: string, id: string): Promise<WebhookEndpointRow> {
  const e = await ctx.store.webhooks.endpoint(accountId, id);
  if (!e) throw notFound('Webhook endpoint');
  return e;
}

/** Registers an endpoint; the answer carries its signing secret, which is never shown again. */
export async function createEndpoint(ctx: ModuleContext, accountId: string, input: Required<Pick<EndpointInput, 'url' | 'events'>> & EndpointInput, actor?: AuditActor) {
  const events = await checkInput(ctx, input);
  const now = ctx.clock.now();
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
    await auditBy(tx, actor, { accountId, action: 'webhook.create', target: row.id, after: audited(row) }, now);
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

/** What the audit log keeps of an endpoint (never its secret). */
function audited(e: WebhookEndpointRow) {
  return { url: e.url, events: JSON.parse(e.events) as string[], description: e.description, enabled: e.enabled === 1 };
}

/** Changes what is given; enabling clears the reason it was disabled and its run of failures. */
export async function updateEndpoint(ctx: ModuleContext, accountId: string, id: string, input: EndpointInput, actor?: AuditActor) {
  const current = await endpointOf(ctx, accountId, id);
  const events = await checkInput(ctx, input);
  const now = ctx.clock.now();
  const enabled = input.enabled === undefined ? current.enabled : input.enabled ? 1 : 0;
  await ctx.store.transaction(async (tx) => {
    await tx.webhooks.updateEndpoint(id, {
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
    const after = (await tx.webhooks.endpoint(accountId, id))!;
    await auditBy(tx, actor, { accountId, action: 'webhook.update', target: id, before: audited(current), after: audited(after) }, now);
  });
  return getEndpoint(ctx, accountId, id);
}

export async function deleteEndpoint(ctx: ModuleContext, accountId: string, id: string, actor?: AuditActor): Promise<{ id: string; deleted: true }> {
  const now = ctx.clock.now();
  await ctx.store.transaction(async (tx) => {
    const current = await tx.webhooks.endpoint(accountId, id);
    if (!current || !(await tx.webhooks.deleteEndpoint(accountId, id))) throw notFound('Webhook endpoint');
    await auditBy(tx, actor, { accountId, action: 'webhook.delete', target: id, before: audited(current) }, now);
  });
  return { id, deleted: true };
}

/**
 * A new signing secret, shown once. The one it replaces keeps signing beside it for
 * WEBHOOK_ROTATION_OVERLAP_MS, so receivers can switch over without losing a message; a second
 * rotation inside that window retires the oldest at once.
 */
export async function rotateSecret(ctx: ModuleContext, accountId: string, id: string, actor?: AuditActor) {
  const e = await endpointOf(ctx, accountId, id);
  const now = ctx.clock.now();
  const secret = newWebhookSecret();
  const until = now + WEBHOOK_ROTATION_OVERLAP_MS;
  await ctx.store.transaction(async (tx) => {
    await tx.webhooks.updateEndpoint(id, { secret, previous_secret: e.secret, previous_secret_until: until, updated_at: now });
    await auditBy(tx, actor, { accountId, action: 'webhook.rotate_secret', target: id, after: { previous_secret_expires_at: rfc3339(until) } }, now);
  });
  return { ...(await getEndpoint(ctx, accountId, id)), secret, previous_secret_expires_at: rfc3339(until) };
}
