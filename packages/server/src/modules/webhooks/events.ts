import { newId } from '../../lib/ids.ts';
import { rfc3339 } from '../../lib/time.ts';
import type { EventRow } from '../../store/repos/events.ts';
import { Jobs } from '../../queue/catalogue.ts';
import { jobRows } from '../../queue/enqueue.ts';
import type { JobRow } from '../../store/repos/jobs.ts';
import type { WebhookDeliveryRow } from '../../store/repos/webhooks.ts';
import type { Store } from '../../store/store.ts';

/** Every event an endpoint can subscribe to (SPEC §4, and the message statuses it leaves out). */
export const EVENT_TYPES = [
  'message.scheduled',
  'message.queued',
  'message.sent',
  'message.delivered',
  'message.undelivered',
  'message.failed',
  'message.bounced',
  'message.complained',
  'message.canceled',
  'message.received',
  'email.received',
  'campaign.completed',
  'otp.approved',
  'otp.prefix_blocked',
  'voice.completed',
  'voice.failed',
  'balance.low',
  'webhook.disabled',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

const KNOWN: ReadonlySet<string> = new Set(EVENT_TYPES);

export function isEventType(name: string): name is EventType {
  return KNOWN.has(name);
}

/** The event a message's move into `status` emits (none for `sending`). */
export function messageEventType(status: string): EventType | null {
  const type = `message.${status}`;
  return isEventType(type) ? type : null;
}

export interface NewEvent {
  accountId: string;
  type: EventType;
  /** The resource as the API shows it. */
  data: unknown;
  /** When it happened, if not now (events of a group-committed request keep the request's time). */
  at?: number;
}

/** The webhook body: Standard Webhooks' `{type, timestamp, data}`. */
export function eventPayload(type: string, data: unknown, now: number): string {
  return JSON.stringify({ type, timestamp: rfc3339(now), data });
}

/** The id of the resource an event's data is (a message, a campaign, an endpoint), or null. */
export function subjectOf(data: unknown): string | null {
  const id = typeof data === 'object' && data !== null ? (data as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : null;
}

/** True when an endpoint's subscription (a JSON array, "*" for all) takes this type. */
export function subscribes(events: string, type: string): boolean {
  const list = JSON.parse(events) as string[];
  return list.includes('*') || list.includes(type);
}

/**
 * Records events and queues a delivery to every enabled endpoint of the account that subscribes
 * to them — in the transaction of the change that caused them, so a committed change always has
 * its events and a rolled-back one never does. An event no endpoint subscribes to is not stored
 * (see eventRows); the rows answered are the events stored.
 */
export async function recordEvents(store: Store, events: NewEvent[], now: number): Promise<EventRow[]> {
  if (events.length === 0) return [];
  return store.transaction(async (tx) => {
    const rows = await eventRows(tx, events, now);
    await tx.events.insertMany(rows.events);
    await tx.webhooks.insertDeliveries(rows.deliveries);
    await tx.jobs.insertMany(rows.jobs);
    return rows.events;
  });
}

/**
 * The rows recordEvents writes — each event that at least one enabled endpoint subscribes to, and
 * a delivery with its job for each such endpoint — for a caller that writes them with others (the
 * group commit). Call inside the transaction that will write them.
 */
export async function eventRows(tx: Store, events: NewEvent[], now: number): Promise<{ events: EventRow[]; deliveries: WebhookDeliveryRow[]; jobs: JobRow[] }> {
  const out = { events: [] as EventRow[], deliveries: [] as WebhookDeliveryRow[], jobs: [] as JobRow[] };
  if (events.length === 0) return out;
  const subscribers = new Map<string, Array<{ id: string; events: string }>>();
  for (const s of await tx.webhooks.subscribers([...new Set(events.map((e) => e.accountId))])) {
    subscribers.set(s.account_id, [...(subscribers.get(s.account_id) ?? []), s]);
  }
  for (const e of events) {
    // An event is stored only for its deliveries (its payload is what they sign and send): with
    // no endpoint subscribed nobody will read it, and the message's own timeline (message_events)
    // is written apart. docs/retention.md.
    const endpoints = (subscribers.get(e.accountId) ?? []).filter((endpoint) => subscribes(endpoint.events, e.type));
    if (endpoints.length === 0) continue;
    const at = e.at ?? now;
    const row: EventRow = { id: newId('ev'), account_id: e.accountId, type: e.type, payload: eventPayload(e.type, e.data, at), created_at: at };
    out.events.push(row);
    for (const endpoint of endpoints) {
      const delivery = newDelivery(row, endpoint.id, at, subjectOf(e.data));
      out.deliveries.push(delivery);
      out.jobs.push(...jobRows([Jobs.deliverWebhook(delivery.id, endpoint.id)], at));
    }
  }
  return out;
}

/** A pending delivery of an event to an endpoint; `subjectId` is the resource the event is about (see subjectOf). */
export function newDelivery(event: Pick<EventRow, 'id' | 'account_id'>, endpointId: string, now: number, subjectId: string | null): WebhookDeliveryRow {
  return {
    id: newId('whd'),
    account_id: event.account_id,
    endpoint_id: endpointId,
    event_id: event.id,
    status: 'pending',
    attempts: 0,
    last_status_code: null,
    last_error: null,
    next_attempt_at: now,
    created_at: now,
    updated_at: now,
    subject_id: subjectId,
  };
}
