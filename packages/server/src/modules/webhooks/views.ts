import { rfc3339 } from '../../lib/time.ts';
import type { WebhookAttemptRow, WebhookDeliveryRow, WebhookEndpointRow } from '../../store/repos/webhooks.ts';

/** An endpoint as the API shows it; the secret is never part of it. */
export function endpointView(e: WebhookEndpointRow) {
  return {
    id: e.id,
    url: e.url,
    description: e.description,
    events: JSON.parse(e.events) as string[],
    enabled: e.enabled === 1,
    disabled_reason: e.disabled_reason,
    created_at: rfc3339(e.created_at),
    updated_at: rfc3339(e.updated_at),
  };
}

/** A delivery with every attempt, as the delivery log shows it. */
export function deliveryView(d: WebhookDeliveryRow & { event_type: string }, attempts: WebhookAttemptRow[]) {
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
