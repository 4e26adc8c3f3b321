import type { FastifyInstance } from 'fastify';
import { listUsers, userDetail } from '../../modules/admin/users.ts';
import type { ModuleContext } from '../../modules/context.ts';
import { listAudit } from '../../modules/people/audit.ts';
import { createUser, setOperator } from '../../modules/people/users.ts';
import { signedIn } from '../route.ts';
import { auditListSchema, auditQuery, createUserBody, operatorBody, userListSchema, usersQuery, userWithAccountsSchema } from '../schemas/admin.ts';
import { idParams } from '../schemas/common.ts';

const tag = 'admin';
const operator = true;

/** /admin/users and /admin/audit: the people of the platform, and what everyone did. */
export function adminPeopleRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  signedIn(
    app,
    { method: 'GET', url: '/admin/users', operator, tag, summary: 'Every user with their accounts and roles; search by email', schema: { querystring: usersQuery, response: { 200: userListSchema } } },
    async (req) => listUsers(ctx.store, req.query),
  );
  signedIn(
    app,
    {
      method: 'POST',
      url: '/admin/users',
      operator,
      tag,
      summary: 'Create a user, optionally a member of an account and/or an operator (audited: user.create)',
      schema: { body: createUserBody, response: { 200: userWithAccountsSchema } },
    },
    async (req, actor) => {
      const b = req.body;
      const user = await createUser(ctx, actor, {
        email: b.email,
        password: b.password,
        ...(b.name !== undefined ? { name: b.name } : {}),
        ...(b.account_id !== undefined ? { accountId: b.account_id } : {}),
        ...(b.role !== undefined ? { role: b.role } : {}),
        ...(b.operator !== undefined ? { operator: b.operator } : {}),
      });
      return userDetail(ctx.store, user);
    },
  );
  signedIn(
    app,
    {
      method: 'POST',
      url: '/admin/users/:id/operator',
      operator,
      tag,
      summary: 'Grant or revoke the operator flag; the last operator keeps it (audited: user.operator.grant / user.operator.revoke)',
      schema: { params: idParams('usr'), body: operatorBody, response: { 200: userWithAccountsSchema } },
    },
    async (req, actor) => userDetail(ctx.store, await setOperator(ctx, actor, req.params.id, req.body.operator)),
  );
  signedIn(
    app,
    { method: 'GET', url: '/admin/audit', operator, tag, summary: 'The audit log of every account and the platform, newest first', schema: { querystring: auditQuery, response: { 200: auditListSchema } } },
    async (req) => {
      const { account_id, ...q } = req.query;
      return listAudit(ctx.store, account_id ?? null, q);
    },
  );
}
