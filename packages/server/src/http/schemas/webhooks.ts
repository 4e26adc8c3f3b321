/** /webhooks: endpoints, their secrets, tests and the delivery log. */
import { EVENT_TYPES } from '../../modules/webhooks/events.ts';
import { listQuery, nullable, str } from './common.ts';

const eventList = {
  type: 'array',
  minItems: 1,
  maxItems: EVENT_TYPES.length + 1,
  items: str({ maxLength: 64 }),
  description: `Event types to receive (${EVENT_TYPES.join(', ')}), or ["*"] for all`,
} as const;

const endpointFields = {
  url: str({ minLength: 1, maxLength: 2048, description: 'http(s) URL on a public address' }),
  events: eventList,
  description: { ...nullable('string'), maxLength: 256 },
  enabled: { type: 'boolean' },
} as const;

export const endpointCreateBody = { type: 'object', additionalProperties: false, required: ['url', 'events'], properties: endpointFields } as const;
export const endpointPatchBody = { type: 'object', additionalProperties: false, minProperties: 1, properties: endpointFields } as const;

const endpointProperties = {
  id: str(),
  url: str(),
  description: nullable('string'),
  events: { type: 'array', items: str() },
  enabled: { type: 'boolean' },
  disabled_reason: nullable('string'),
  created_at: str(),
  updated_at: str(),
} as const;

export const endpointSchema = { type: 'object', properties: endpointProperties } as const;

export const endpointWithSecret = {
  type: 'object',
  properties: { ...endpointProperties, secret: str({ description: 'whsec_… signing secret, shown only now' }), previous_secret_expires_at: str() },
} as const;

export const endpointDeleted = { type: 'object', properties: { id: str(), deleted: { type: 'boolean' } } } as const;

const attemptSchema = {
  type: 'object',
  properties: {
    id: str(),
    attempt: { type: 'integer' },
    status_code: nullable('integer'),
    error: nullable('string'),
    duration_ms: { type: 'integer' },
    response_excerpt: nullable('string'),
    next_retry_at: nullable('string'),
    created_at: str(),
  },
} as const;

const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;

export const deliverySchema = {
  type: 'object',
  properties: {
    id: str(),
    endpoint_id: str(),
    event_id: str(),
    event_type: str(),
    status: str({ enum: DELIVERY_STATUSES }),
    attempt_count: { type: 'integer' },
    last_status_code: nullable('integer'),
    last_error: nullable('string'),
    next_attempt_at: nullable('string'),
    created_at: str(),
    updated_at: str(),
    attempts: { type: 'array', items: attemptSchema },
  },
} as const;

export const deliveriesQuery = listQuery({ status: str({ enum: DELIVERY_STATUSES }) });

export const deliveryParams = { type: 'object', required: ['id', 'delivery_id'], properties: { id: str(), delivery_id: str() } } as const;

/** POST /webhooks/{id}/deliveries/retry-failed: from when (creation time of the deliveries). */
export const retryFailedBody = {
  type: 'object',
  additionalProperties: false,
  required: ['since'],
  properties: { since: str({ maxLength: 64, description: 'RFC 3339 timestamp with an offset: failed deliveries created at or after it are sent again' }) },
} as const;

export const retryFailedAnswer = { type: 'object', properties: { replayed: { type: 'integer', description: 'deliveries sent again (at most 1000 a call)' } } } as const;

/** A delivery of a message's event, with the URL of the endpoint it went to. */
export const messageDeliverySchema = { type: 'object', properties: { ...deliverySchema.properties, endpoint_url: str() } } as const;
