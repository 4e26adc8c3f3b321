import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { cancelMessage, getCampaign, getMessage, listCampaigns, listMessages, type MessageQuery } from '../../modules/reports.ts';
import {
  campaignDetailSchema,
  campaignSchema,
  campaignsQuery,
  errorResponses,
  idParams,
  messageDetailSchema,
  messageSchema,
  messagesQuery,
  pageOf,
} from '../schemas.ts';

const common = { tags: ['reports'], security: [{ apiKey: [] }] };

export function reportRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  app.get(
    '/messages',
    {
      config: { scope: 'reports' },
      schema: { ...common, summary: 'List messages, newest first', querystring: messagesQuery, response: { 200: pageOf(messageSchema), ...errorResponses } },
    },
    async (req) => listMessages(ctx, req.principal!.accountId, req.query as MessageQuery),
  );
  app.get(
    '/messages/:id',
    {
      config: { scope: 'reports' },
      schema: { ...common, summary: 'A message and its event timeline', params: idParams('msg'), response: { 200: messageDetailSchema, ...errorResponses } },
    },
    async (req) => getMessage(ctx, req.principal!.accountId, (req.params as { id: string }).id),
  );
  app.post(
    '/messages/:id/cancel',
    {
      config: { scope: 'send' },
      schema: {
        tags: ['reports'],
        security: [{ apiKey: [] }],
        summary: 'Cancel a scheduled message (refunded); needs the send scope of its channel',
        params: idParams('msg'),
        response: { 200: messageDetailSchema, ...errorResponses },
      },
    },
    async (req) => cancelMessage(ctx, req.principal!, (req.params as { id: string }).id),
  );
  app.get(
    '/campaigns',
    {
      config: { scope: 'reports' },
      schema: { ...common, summary: 'List campaigns, newest first', querystring: campaignsQuery, response: { 200: pageOf(campaignSchema), ...errorResponses } },
    },
    async (req) => listCampaigns(ctx, req.principal!.accountId, req.query as { limit?: number; cursor?: string }),
  );
  app.get(
    '/campaigns/:id',
    {
      config: { scope: 'reports' },
      schema: { ...common, summary: 'A campaign with its counts per status and cost', params: idParams('cmp'), response: { 200: campaignDetailSchema, ...errorResponses } },
    },
    async (req) => getCampaign(ctx, req.principal!.accountId, (req.params as { id: string }).id),
  );
}
