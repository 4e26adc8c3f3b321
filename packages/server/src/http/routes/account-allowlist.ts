import type { FastifyInstance } from 'fastify';
import { allowlistOf, editAllowlist } from '../../modules/access/account-settings.ts';
import type { ModuleContext } from '../../modules/context.ts';
import { managed } from '../route.ts';
import { allowlistAddBody, allowlistRemoveQuery, allowlistSchema } from '../schemas/account.ts';

const tag = 'allowlist';

/** /accounts/:account_id/allowlist: the addresses the account's keys may be used from. */
export function accountAllowlistRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  managed(app, { method: 'GET', url: '/allowlist', permission: 'allowlist:read', tag, summary: 'The IP allowlist (empty: open to every address)', schema: { response: { 200: allowlistSchema } } }, async (_req, actor) =>
    allowlistOf(ctx.store, actor.accountId),
  );
  managed(
    app,
    { method: 'POST', url: '/allowlist', permission: 'allowlist:write', tag, summary: 'Add an address or CIDR range to the allowlist', schema: { body: allowlistAddBody, response: { 200: allowlistSchema } } },
    async (req, actor) => editAllowlist(ctx, actor, actor.accountId, 'add', req.body.ip),
  );
  managed(
    app,
    {
      method: 'DELETE',
      url: '/allowlist',
      permission: 'allowlist:write',
      tag,
      summary: 'Remove an entry (?ip=…, as listed or as typed) from the allowlist',
      schema: { querystring: allowlistRemoveQuery, response: { 200: allowlistSchema } },
    },
    async (req, actor) => editAllowlist(ctx, actor, actor.accountId, 'remove', req.query.ip),
  );
}
