import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { sandboxInboxOf } from '../../modules/messages/sandbox-inbox.ts';
import { usageSeries } from '../../modules/messages/usage.ts';
import { managed } from '../route.ts';
import { inboxPageSchema, inboxQuery, usageQuery, usageSchema } from '../schemas/account-billing.ts';

/** /accounts/:account_id/usage and /sandbox/inbox: the account's traffic, counted and (for sandbox keys) as received. */
export function accountTrafficRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  managed(
    app,
    {
      method: 'GET',
      url: '/usage',
      permission: 'usage:read',
      tag: 'usage',
      summary: 'Messages and spend per hour or day, channel and status (for charts)',
      schema: { querystring: usageQuery, response: { 200: usageSchema } },
    },
    async (req, actor) => usageSeries(ctx, actor.accountId, req.query),
  );
  managed(
    app,
    {
      method: 'GET',
      url: '/sandbox/inbox',
      permission: 'sandbox:read',
      tag: 'sandbox',
      summary: "What the simulated recipients of the account's messages received, newest first",
      schema: { querystring: inboxQuery, response: { 200: inboxPageSchema } },
    },
    async (req, actor) => sandboxInboxOf(ctx.store, actor.accountId, req.query),
  );
}
