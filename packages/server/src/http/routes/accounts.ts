import type { FastifyInstance } from 'fastify';
import { accountOfMember, accountsOfPerson, renameAccount } from '../../modules/access/account-settings.ts';
import type { ModuleContext } from '../../modules/context.ts';
import { listAudit } from '../../modules/people/audit.ts';
import { managed, signedIn } from '../route.ts';
import { accountPatchBody, accountSchema, auditPageSchema, auditQuery, myAccountsSchema } from '../schemas/account.ts';

const tag = 'accounts';

/** /accounts: the accounts of the signed-in person; one account, its name, and its audit log. */
export function accountRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  signedIn(app, { method: 'GET', url: '/accounts', tag, summary: 'The accounts you belong to, with your role in each', schema: { response: { 200: myAccountsSchema } } }, async (_req, actor) =>
    accountsOfPerson(ctx.store, actor),
  );
  managed(app, { method: 'GET', url: '', permission: 'account:read', tag, summary: 'The account: name, status, and your role', schema: { response: { 200: accountSchema } } }, async (_req, actor) =>
    accountOfMember(ctx.store, actor),
  );
  managed(
    app,
    { method: 'PATCH', url: '', permission: 'account:write', tag, summary: 'Rename the account', schema: { body: accountPatchBody, response: { 200: accountSchema } } },
    async (req, actor) => renameAccount(ctx, actor, req.body.name),
  );
  managed(
    app,
    { method: 'GET', url: '/audit', permission: 'audit:read', tag, summary: "The account's audit log, newest first (owners)", schema: { querystring: auditQuery, response: { 200: auditPageSchema } } },
    async (req, actor) => listAudit(ctx.store, actor.accountId, req.query),
  );
}
