import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { addDomain, getDomain, listDomains, verifyDomain } from '../../modules/domains.ts';
import { errorResponses, idParams } from '../schemas.ts';

const recordSchema = {
  type: 'object',
  properties: {
    type: { type: 'string' },
    name: { type: 'string' },
    value: { type: 'string' },
    purpose: { type: 'string' },
  },
} as const;

const domainProperties = {
  id: { type: 'string' },
  domain: { type: 'string' },
  status: { type: 'string', enum: ['pending', 'verified'] },
  dkim_selector: { type: 'string' },
  records: { type: 'array', items: recordSchema },
  verified_at: { type: ['string', 'null'] },
  created_at: { type: 'string' },
} as const;

const domainSchema = { type: 'object', properties: domainProperties } as const;
const common = { tags: ['domains'], security: [{ apiKey: [] }] };

/** Sending domains: DKIM keys made here, DNS records to publish, verification by DNS lookup. */
export function domainRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  app.post(
    '/domains',
    {
      config: { scope: 'email:send' },
      schema: {
        ...common,
        summary: 'Add a sending domain; answers the DNS records (DKIM, SPF, return path) to publish',
        body: { type: 'object', additionalProperties: false, required: ['domain'], properties: { domain: { type: 'string', minLength: 1, maxLength: 253 } } },
        response: { 200: domainSchema, ...errorResponses },
      },
    },
    async (req) => addDomain(ctx.store, ctx.mailDns, req.principal!.accountId, (req.body as { domain: string }).domain),
  );
  app.get(
    '/domains',
    {
      config: { scope: 'email:send' },
      schema: {
        ...common,
        summary: 'List sending domains',
        response: { 200: { type: 'object', properties: { data: { type: 'array', items: domainSchema }, next_cursor: { type: ['string', 'null'] } } }, ...errorResponses },
      },
    },
    async (req) => listDomains(ctx.store, ctx.mailDns, req.principal!.accountId),
  );
  app.get(
    '/domains/:id',
    { config: { scope: 'email:send' }, schema: { ...common, summary: 'A sending domain', params: idParams('dom'), response: { 200: domainSchema, ...errorResponses } } },
    async (req) => getDomain(ctx.store, ctx.mailDns, req.principal!.accountId, (req.params as { id: string }).id),
  );
  app.post(
    '/domains/:id/verify',
    {
      config: { scope: 'email:send' },
      schema: {
        ...common,
        summary: 'Look the DKIM record up in DNS; a match verifies the domain and approves it as a sender',
        params: idParams('dom'),
        response: {
          200: {
            type: 'object',
            properties: {
              ...domainProperties,
              checks: { type: 'object', properties: { dkim: { type: 'boolean' }, spf: { type: ['boolean', 'null'] } } },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (req) => verifyDomain(ctx.store, ctx.mailDns, req.principal!.accountId, (req.params as { id: string }).id),
  );
}
