import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { removeSender, requestSender, sendersOf } from '../../modules/messages/sender-requests.ts';
import { managed } from '../route.ts';
import { senderParams, senderRemovedSchema, senderRequestBody, senderRequestSchema, sendersSchema } from '../schemas/account-senders.ts';

const tag = 'senders';

/** /accounts/:account_id/senders: approved senders, requests for new ones (operators decide), withdrawal. Domains are under /domains. */
export function accountSenderRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  managed(
    app,
    { method: 'GET', url: '/senders', permission: 'senders:read', tag, summary: 'Approved senders, and the requests waiting for an operator or refused', schema: { response: { 200: sendersSchema } } },
    async (_req, actor) => sendersOf(ctx.store, actor.accountId),
  );
  managed(
    app,
    {
      method: 'POST',
      url: '/senders',
      permission: 'senders:write',
      tag,
      summary: 'Ask for a sender (SMS sender id or number, email domain or address): an operator approves or refuses it',
      schema: { body: senderRequestBody, response: { 200: senderRequestSchema } },
    },
    async (req, actor) => requestSender(ctx, actor, actor.accountId, { sender: req.body.sender, note: req.body.note ?? null }),
  );
  managed(
    app,
    { method: 'DELETE', url: '/senders/:id', permission: 'senders:write', tag, summary: 'Give up an approved sender', schema: { params: senderParams, response: { 200: senderRemovedSchema } } },
    async (req, actor) => removeSender(ctx, actor, req.params.id),
  );
}
