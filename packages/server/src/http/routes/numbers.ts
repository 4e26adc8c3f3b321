import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { consentReplies, setConsentReplies } from '../../modules/numbers/consent.ts';
import { assignNumber, listNumbers, releaseNumber } from '../../modules/numbers/numbers.ts';
import { authenticated, signedIn } from '../route.ts';
import { adminNumbersQuery, assignNumberBody, consentRepliesBody, consentRepliesSchema, numberListSchema, numberReleasedSchema, numberSchema, releaseNumberQuery } from '../schemas/numbers.ts';

const tag = 'numbers';
const operator = true;

/** /numbers (the account's own, and its consent replies) and /admin/numbers (operators assign and release). */
export function numberRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  authenticated(
    app,
    { method: 'GET', url: '/numbers', scope: 'reports', session: 'messages:read', tag, summary: 'The numbers this account receives SMS on', schema: { response: { 200: numberListSchema } } },
    (_req, caller) => listNumbers(ctx.store, caller.accountId),
  );
  authenticated(
    app,
    { method: 'GET', url: '/numbers/replies', scope: 'reports', session: 'messages:read', tag, summary: 'The automatic replies to STOP, START and HELP', schema: { response: { 200: consentRepliesSchema } } },
    (_req, caller) => consentReplies(ctx.store, caller.accountId),
  );
  authenticated(
    app,
    {
      method: 'PATCH',
      url: '/numbers/replies',
      scope: 'sms:send',
      session: 'messages:write',
      tag,
      summary: "Set the replies to STOP, START and HELP ('' for none, null for the default)",
      schema: { body: consentRepliesBody, response: { 200: consentRepliesSchema } },
    },
    (req, caller) => setConsentReplies(ctx, caller.accountId, req.body),
  );

  signedIn(
    app,
    { method: 'GET', url: '/admin/numbers', operator, tag: 'admin', summary: 'Every assigned number, or one account’s', schema: { querystring: adminNumbersQuery, response: { 200: numberListSchema } } },
    async (req) => listNumbers(ctx.store, req.query.account_id),
  );
  signedIn(
    app,
    { method: 'POST', url: '/admin/numbers', operator, tag: 'admin', summary: 'Assign a number to an account (audited: number.assign); also approves it as its SMS sender', schema: { body: assignNumberBody, response: { 200: numberSchema } } },
    async (req, actor) => assignNumber(ctx, actor, req.body.account_id, req.body.number),
  );
  signedIn(
    app,
    { method: 'DELETE', url: '/admin/numbers', operator, tag: 'admin', summary: 'Release a number (?number=); inbound SMS to it are dropped from then on (audited: number.release)', schema: { querystring: releaseNumberQuery, response: { 200: numberReleasedSchema } } },
    async (req, actor) => releaseNumber(ctx, actor, req.query.number),
  );
}
