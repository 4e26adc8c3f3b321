/** Webhook endpoints and deliveries as the API answers them (docs/webhooks.md), and their query keys. */

/**
 * The event types an endpoint may subscribe to, as the server lists them (EVENT_TYPES in
 * packages/server/src/modules/webhooks/events.ts, the table in docs/webhooks.md). There is no
 * route that lists them, so the dashboard names them here; the server refuses any it does not know.
 */
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

/** An endpoint (never with its secret, except in the answers that create or rotate it). */
export interface Endpoint {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  enabled: boolean;
  disabled_reason: string | null;
  created_at: string;
  updated_at: string;
}

/** The answer of a create or a rotation: the only time the secret is shown. */
export interface EndpointWithSecret extends Endpoint {
  secret: string;
}

/** One HTTP request Hellio made to an endpoint, and what came back. */
export interface Attempt {
  id: string;
  attempt: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  response_excerpt: string | null;
  next_retry_at: string | null;
  created_at: string;
}

/** One event sent to one endpoint, with every attempt. */
export interface Delivery {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempt_count: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
  attempts: Attempt[];
  /** Only in a message's deliveries: where it went. */
  endpoint_url?: string;
}

/** Query keys: everything about an account's webhooks starts with the same two parts, so one invalidation reaches all. */
export const webhookKeys = {
  all: (accountId: string) => ['webhooks', accountId] as const,
  endpoint: (accountId: string, id: string) => ['webhooks', accountId, 'endpoint', id] as const,
  deliveries: (accountId: string, id: string, status: string) => ['webhooks', accountId, 'deliveries', id, status] as const,
};
