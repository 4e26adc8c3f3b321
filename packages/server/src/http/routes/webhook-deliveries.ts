import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { listDeliveries, retryDelivery, retryFailedSince, testEndpoint } from '../../modules/webhooks/delivery-log.ts';
import { authenticated } from '../route.ts';
import { idParams, pageOf } from '../schemas/common.ts';
import { deliveriesQuery, deliveryParams, deliverySchema, retryFailedAnswer, retryFailedBody } from '../schemas/webhooks.ts';

const common = { scope: 'webhooks', tag: 'webhooks' } as const;

/** An endpoint's deliveries: the log, a test event, a manual retry (scope `webhooks`). */
export function webhookDeliveryRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  authenticated(
    app,
    {
      ...common,
      method: 'POST',
      url: '/webhooks/:id/test',
      session: 'webhooks:write',
      summary: 'Send a webhook.test event now and answer how the endpoint responded',
      schema: { params: idParams('wh'), response: { 200: deliverySchema } },
    },
    (req, principal) => testEndpoint(ctx, principal.accountId, req.params.id, principal.actor),
  );
  authenticated(
    app,
    {
      ...common,
      method: 'GET',
      url: '/webhooks/:id/deliveries',
      session: 'webhooks:read',
      summary: 'The delivery log: every event sent to the endpoint, newest first, with every attempt',
      schema: { params: idParams('wh'), querystring: deliveriesQuery, response: { 200: pageOf(deliverySchema) } },
    },
    (req, principal) => listDeliveries(ctx, principal.accountId, req.params.id, req.query),
  );
  authenticated(
    app,
    {
      ...common,
      method: 'POST',
      url: '/webhooks/:id/deliveries/:delivery_id/retry',
      session: 'webhooks:write',
      summary: 'Send a succeeded or failed delivery again, now (one attempt, in the background)',
      schema: { params: deliveryParams, response: { 200: deliverySchema } },
    },
    (req, principal) => retryDelivery(ctx, principal.accountId, req.params.id, req.params.delivery_id, principal.actor),
  );
  authenticated(
    app,
    {
      ...common,
      method: 'POST',
      url: '/webhooks/:id/deliveries/retry-failed',
      session: 'webhooks:write',
      summary: 'Send again, now, every failed delivery created since a time (at most 1000 a call; one attempt each, in the background)',
      schema: { params: idParams('wh'), body: retryFailedBody, response: { 200: retryFailedAnswer } },
    },
    (req, principal) => retryFailedSince(ctx, principal.accountId, req.params.id, req.body.since, principal.actor),
  );
}
