import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { EVENT_TYPES } from '../../modules/events.ts';
import { MAX_PAGE } from '../../modules/reports.ts';
import {
  createEndpoint,
  deleteEndpoint,
  type EndpointInput,
  getEndpoint,
  listDeliveries,
  listEndpoints,
  retryDelivery,
  rotateSecret,
  testEndpoint,
  updateEndpoint,
} from '../../modules/webhooks.ts';
import { errorResponses, idParams, pageOf } from '../schemas.ts';

const str = { type: 'string' } as const;
const nullableStr = { type: ['string', 'null'] } as const;
const eventList = {
  type: 'array',
  minItems: 1,
  maxItems: EVENT_TYPES.length + 1,
  items: { type: 'string', maxLength: 64 },
  description: `Event types to receive (${EVENT_TYPES.join(', ')}), or ["*"] for all`,
} as const;
const endpointFields = {
  url: { type: 'string', minLength: 1, maxLength: 2048, description: 'http(s) URL on a public address' },
  events: eventList,
  description: { type: ['string', 'null'], maxLength: 256 },
  enabled: { type: 'boolean' },
} as const;

const endpointProperties = {
  id: str,
  url: str,
  description: nullableStr,
  events: { type: 'array', items: str },
  enabled: { type: 'boolean' },
  disabled_reason: nullableStr,
  created_at: str,
  updated_at: str,
} as const;
const endpointSchema = { type: 'object', properties: endpointProperties } as const;
const withSecret = {
  type: 'object',
  properties: { ...endpointProperties, secret: { type: 'string', description: 'whsec_… signing secret, shown only now' }, previous_secret_expires_at: str },
} as const;

const attemptSchema = {
  type: 'object',
  properties: {
    id: str,
    attempt: { type: 'integer' },
    status_code: { type: ['integer', 'null'] },
    error: nullableStr,
    duration_ms: { type: 'integer' },
    response_excerpt: nullableStr,
    next_retry_at: nullableStr,
    created_at: str,
  },
} as const;
const deliverySchema = {
  type: 'object',
  properties: {
    id: str,
    endpoint_id: str,
    event_id: str,
    event_type: str,
    status: { type: 'string', enum: ['pending', 'succeeded', 'failed'] },
    attempt_count: { type: 'integer' },
    last_status_code: { type: ['integer', 'null'] },
    last_error: nullableStr,
    next_attempt_at: nullableStr,
    created_at: str,
    updated_at: str,
    attempts: { type: 'array', items: attemptSchema },
  },
} as const;

const pageQuery = { limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE }, cursor: str } as const;
const common = { tags: ['webhooks'], security: [{ apiKey: [] }] };
const config = { scope: 'webhooks' as const };
type Id = { id: string };

/** /webhooks: endpoints, their secrets, tests and the delivery log (scope `webhooks`). */
export function webhookRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  const account = (req: { principal: { accountId: string } | null }) => req.principal!.accountId;

  app.post(
    '/webhooks',
    {
      config,
      schema: {
        ...common,
        summary: 'Register an endpoint; the answer carries its signing secret, shown only this once',
        body: { type: 'object', additionalProperties: false, required: ['url', 'events'], properties: endpointFields },
        response: { 200: withSecret, ...errorResponses },
      },
    },
    async (req) => createEndpoint(ctx, account(req), req.body as Required<Pick<EndpointInput, 'url' | 'events'>> & EndpointInput),
  );
  app.get(
    '/webhooks',
    {
      config,
      schema: {
        ...common,
        summary: 'List endpoints, newest first',
        querystring: { type: 'object', additionalProperties: false, properties: pageQuery },
        response: { 200: pageOf(endpointSchema), ...errorResponses },
      },
    },
    async (req) => listEndpoints(ctx, account(req), req.query as { limit?: number; cursor?: string }),
  );
  app.get(
    '/webhooks/:id',
    { config, schema: { ...common, summary: 'An endpoint', params: idParams('wh'), response: { 200: endpointSchema, ...errorResponses } } },
    async (req) => getEndpoint(ctx, account(req), (req.params as Id).id),
  );
  app.patch(
    '/webhooks/:id',
    {
      config,
      schema: {
        ...common,
        summary: 'Change an endpoint: url, events, description, or enabled (true re-enables a disabled endpoint)',
        params: idParams('wh'),
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: endpointFields },
        response: { 200: endpointSchema, ...errorResponses },
      },
    },
    async (req) => updateEndpoint(ctx, account(req), (req.params as Id).id, req.body as EndpointInput),
  );
  app.delete(
    '/webhooks/:id',
    {
      config,
      schema: {
        ...common,
        summary: 'Delete an endpoint and its delivery log',
        params: idParams('wh'),
        response: { 200: { type: 'object', properties: { id: str, deleted: { type: 'boolean' } } }, ...errorResponses },
      },
    },
    async (req) => deleteEndpoint(ctx, account(req), (req.params as Id).id),
  );
  app.post(
    '/webhooks/:id/rotate-secret',
    {
      config,
      schema: {
        ...common,
        summary: 'Replace the signing secret (shown only now); the old one keeps signing beside it for 24 h',
        params: idParams('wh'),
        response: { 200: withSecret, ...errorResponses },
      },
    },
    async (req) => rotateSecret(ctx, account(req), (req.params as Id).id),
  );
  app.post(
    '/webhooks/:id/test',
    {
      config,
      schema: {
        ...common,
        summary: 'Send a webhook.test event now and answer how the endpoint responded',
        params: idParams('wh'),
        response: { 200: deliverySchema, ...errorResponses },
      },
    },
    async (req) => testEndpoint(ctx, account(req), (req.params as Id).id),
  );
  app.get(
    '/webhooks/:id/deliveries',
    {
      config,
      schema: {
        ...common,
        summary: 'The delivery log: every event sent to the endpoint, newest first, with every attempt',
        params: idParams('wh'),
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { ...pageQuery, status: { type: 'string', enum: ['pending', 'succeeded', 'failed'] } },
        },
        response: { 200: pageOf(deliverySchema), ...errorResponses },
      },
    },
    async (req) => listDeliveries(ctx, account(req), (req.params as Id).id, req.query as { limit?: number; cursor?: string; status?: string }),
  );
  app.post(
    '/webhooks/:id/deliveries/:delivery_id/retry',
    {
      config,
      schema: {
        ...common,
        summary: 'Send a succeeded or failed delivery again, now (one attempt, in the background)',
        params: { type: 'object', required: ['id', 'delivery_id'], properties: { id: str, delivery_id: str } },
        response: { 200: deliverySchema, ...errorResponses },
      },
    },
    async (req) => {
      const p = req.params as Id & { delivery_id: string };
      return retryDelivery(ctx, account(req), p.id, p.delivery_id);
    },
  );
}
