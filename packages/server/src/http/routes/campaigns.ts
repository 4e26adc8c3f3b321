import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { getCampaign, listCampaigns } from '../../modules/messages/reads.ts';
import { authenticated } from '../route.ts';
import { idParams, pageOf } from '../schemas/common.ts';
import { campaignDetailSchema, campaignSchema, campaignsQuery } from '../schemas/messages.ts';

const common = { scope: 'reports', tag: 'reports' } as const;

/** /campaigns: SMS sent to many recipients in one request. */
export function campaignRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  authenticated(
    app,
    { ...common, method: 'GET', url: '/campaigns', session: 'messages:read', summary: 'List campaigns, newest first', schema: { querystring: campaignsQuery, response: { 200: pageOf(campaignSchema) } } },
    (req, principal) => listCampaigns(ctx, principal.accountId, req.query),
  );
  authenticated(
    app,
    {
      ...common,
      method: 'GET',
      url: '/campaigns/:id',
      session: 'messages:read',
      summary: 'A campaign with its counts per status and cost',
      schema: { params: idParams('cmp'), response: { 200: campaignDetailSchema } },
    },
    (req, principal) => getCampaign(ctx, principal.accountId, req.params.id),
  );
}
