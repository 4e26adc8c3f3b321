import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { addDomain, getDomain, listDomains, verifyDomain } from '../../modules/messages/domains.ts';
import { authenticated } from '../route.ts';
import { idParams } from '../schemas/common.ts';
import { domainBody, domainListSchema, domainSchema, domainVerifiedSchema } from '../schemas/domains.ts';

const common = { scope: 'email:send', tag: 'domains' } as const;

/** /domains: sending domains, DKIM keys made here, DNS records to publish, verification by DNS lookup. */
export function domainRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  authenticated(
    app,
    {
      ...common,
      method: 'POST',
      url: '/domains',
      session: 'senders:write',
      summary: 'Add a sending domain; answers the DNS records (DKIM, SPF, return path) to publish',
      schema: { body: domainBody, response: { 200: domainSchema } },
    },
    (req, principal) => addDomain(ctx, principal.accountId, req.body.domain, principal.actor),
  );
  authenticated(
    app,
    { ...common, method: 'GET', url: '/domains', session: 'senders:read', summary: 'List sending domains', schema: { response: { 200: domainListSchema } } },
    (_req, principal) => listDomains(ctx, principal.accountId),
  );
  authenticated(
    app,
    { ...common, method: 'GET', url: '/domains/:id', session: 'senders:read', summary: 'A sending domain', schema: { params: idParams('dom'), response: { 200: domainSchema } } },
    (req, principal) => getDomain(ctx, principal.accountId, req.params.id),
  );
  authenticated(
    app,
    {
      ...common,
      method: 'POST',
      url: '/domains/:id/verify',
      session: 'senders:write',
      summary: 'Look the DKIM record up in DNS; a match verifies the domain and approves it as a sender',
      schema: { params: idParams('dom'), response: { 200: domainVerifiedSchema } },
    },
    (req, principal) => verifyDomain(ctx, principal.accountId, req.params.id, principal.actor),
  );
}
