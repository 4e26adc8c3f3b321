import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { cancelMessage } from '../../modules/messages/cancel.ts';
import { getMessage, listMessages } from '../../modules/messages/reads.ts';
import { messageDeliveries } from '../../modules/webhooks/delivery-log.ts';
import { authenticated } from '../route.ts';
import { idParams, listQuery, pageOf } from '../schemas/common.ts';
import { messageDetailSchema, messageSchema, messagesQuery } from '../schemas/messages.ts';
import { messageDeliverySchema } from '../schemas/webhooks.ts';

/** /messages: reports, and cancelling a scheduled message. */
export function messageRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  authenticated(
    app,
    {
      method: 'GET',
      url: '/messages',
      session: 'messages:read',
      scope: 'reports',
      tag: 'reports',
      summary: 'List messages, newest first',
      schema: { querystring: messagesQuery, response: { 200: pageOf(messageSchema) } },
    },
    (req, principal) => listMessages(ctx, principal.accountId, req.query),
  );
  authenticated(
    app,
    {
      method: 'GET',
      url: '/messages/:id',
      session: 'messages:read',
      scope: 'reports',
      tag: 'reports',
      summary: 'A message and its event timeline',
      schema: { params: idParams('msg'), response: { 200: messageDetailSchema } },
    },
    (req, principal) => getMessage(ctx, principal.accountId, req.params.id),
  );
  authenticated(
    app,
    {
      method: 'POST',
      url: '/messages/:id/cancel',
      session: 'messages:write',
      scope: 'send',
      tag: 'reports',
      summary: 'Cancel a scheduled message (refunded); needs the send scope of its channel',
      schema: { params: idParams('msg'), response: { 200: messageDetailSchema } },
    },
    (req, principal) => cancelMessage(ctx, principal, req.params.id),
  );
  authenticated(
    app,
    {
      method: 'GET',
      url: '/messages/:id/webhook-deliveries',
      session: 'webhooks:read',
      scope: 'webhooks',
      tag: 'webhooks',
      summary: "The webhook deliveries of a message's events, newest first, each with its endpoint and every attempt",
      schema: { params: idParams('msg'), querystring: listQuery(), response: { 200: pageOf(messageDeliverySchema) } },
    },
    (req, principal) => messageDeliveries(ctx, principal.accountId, req.params.id, req.query),
  );
}
