import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { getLookup, listLookups, planLookup } from '../../modules/lookup/lookup.ts';
import { authenticated, charged } from '../route.ts';
import { idParams, pageOf } from '../schemas/common.ts';
import { lookupBody, lookupSchema, lookupsQuery } from '../schemas/lookup.ts';

const common = { scope: 'lookup', tag: 'lookup' } as const;

/** POST /lookup, GET /lookups, GET /lookup/{id}. */
export function lookupRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  charged(
    app,
    ctx,
    {
      ...common,
      method: 'POST',
      url: '/lookup',
      summary: 'Look a phone number up: validity, type, country, formats, carrier and region (priced)',
      schema: { body: lookupBody, response: { 200: lookupSchema } },
    },
    (req, principal) => planLookup(ctx, principal, req.body),
  );
  authenticated(
    app,
    { ...common, method: 'GET', url: '/lookups', session: 'lookups:read', summary: 'List lookups, newest first', schema: { querystring: lookupsQuery, response: { 200: pageOf(lookupSchema) } } },
    (req, principal) => listLookups(ctx, principal.accountId, req.query),
  );
  authenticated(
    app,
    { ...common, method: 'GET', url: '/lookup/:id', session: 'lookups:read', summary: 'One lookup', schema: { params: idParams('lkp'), response: { 200: lookupSchema } } },
    (req, principal) => getLookup(ctx, principal.accountId, req.params.id),
  );
}
