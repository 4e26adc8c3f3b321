import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { billingOf, ledgerCsv, listLedger, setCaps, setLowBalance } from '../../modules/billing/account-billing.ts';
import type { ModuleContext } from '../../modules/context.ts';
import { managed } from '../route.ts';
import { billingSchema, capsBody, ledgerCsvQuery, ledgerCsvResponse, ledgerPageSchema, ledgerQuery, lowBalanceBody } from '../schemas/account-billing.ts';

const tag = 'billing';

/** /accounts/:account_id/billing, caps, alerts and ledger: the wallet as its members manage it. */
export function accountBillingRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  managed(
    app,
    { method: 'GET', url: '/billing', permission: 'billing:read', tag, summary: 'Balance, spend caps with what they used, and the low-balance alert', schema: { response: { 200: billingSchema } } },
    async (_req, actor) => billingOf(ctx, actor.accountId),
  );
  managed(
    app,
    { method: 'PUT', url: '/caps', permission: 'billing:write', tag, summary: 'Set the daily and monthly spend caps (null: none)', schema: { body: capsBody, response: { 200: billingSchema } } },
    async (req, actor) => setCaps(ctx, actor, actor.accountId, req.body),
  );
  managed(
    app,
    {
      method: 'PUT',
      url: '/alerts/low-balance',
      permission: 'billing:write',
      tag,
      summary: 'Set the balance below which balance.low is announced (null: never)',
      schema: { body: lowBalanceBody, response: { 200: billingSchema } },
    },
    async (req, actor) => setLowBalance(ctx, actor, actor.accountId, req.body.below),
  );
  managed(
    app,
    { method: 'GET', url: '/ledger', permission: 'billing:read', tag, summary: 'The wallet ledger, newest first', schema: { querystring: ledgerQuery, response: { 200: ledgerPageSchema } } },
    async (req, actor) => listLedger(ctx, actor.accountId, req.query),
  );
  managed(
    app,
    {
      method: 'GET',
      url: '/ledger.csv',
      permission: 'billing:read',
      tag,
      summary: 'The whole ledger (same filters) as CSV, newest first',
      schema: { querystring: ledgerCsvQuery, response: { 200: ledgerCsvResponse } },
    },
    async (req, actor, reply) => {
      const lines = ledgerCsv(ctx, actor.accountId, req.query);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="ledger-${actor.accountId}.csv"`)
        .send(Readable.from(lines));
    },
  );
}
