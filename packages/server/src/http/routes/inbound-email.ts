import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { getInboundEmail, inboundAttachment, listInboundEmails } from '../../modules/inbound/mail-reads.ts';
import { authenticated } from '../route.ts';
import { idParams, pageOf } from '../schemas/common.ts';
import { attachmentParams, attachmentResponse, inboundEmailSchema, inboundEmailsQuery } from '../schemas/inbound-email.ts';

const common = { scope: 'reports', tag: 'reports', session: 'messages:read' } as const;

/** GET /emails/inbound, GET /emails/inbound/{id}, GET /emails/inbound/{id}/attachments/{n}: mail received for the account's domains. */
export function inboundEmailRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  authenticated(
    app,
    {
      ...common,
      method: 'GET',
      url: '/emails/inbound',
      summary: "Emails received for the account's verified domains, newest first",
      schema: { querystring: inboundEmailsQuery, response: { 200: pageOf(inboundEmailSchema) } },
    },
    (req, principal) => listInboundEmails(ctx, principal.accountId, req.query),
  );
  authenticated(
    app,
    { ...common, method: 'GET', url: '/emails/inbound/:id', summary: 'One received email, with its bodies and its attachments listed', schema: { params: idParams('inm'), response: { 200: inboundEmailSchema } } },
    (req, principal) => getInboundEmail(ctx, principal.accountId, req.params.id),
  );
  authenticated(
    app,
    {
      ...common,
      method: 'GET',
      url: '/emails/inbound/:id/attachments/:n',
      summary: 'One attachment of a received email, as it came',
      schema: { params: attachmentParams, response: { 200: attachmentResponse } },
    },
    async (req, principal, reply) => {
      const a = await inboundAttachment(ctx, principal.accountId, req.params.id, req.params.n);
      // Served as a download: an HTML or SVG attachment must not run in the API's origin.
      const name = (a.filename ?? `attachment-${a.n}`).replace(/["\\\r\n]/g, '_');
      return reply
        .type(a.content_type)
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('x-content-type-options', 'nosniff')
        .send(a.bytes);
    },
  );
}
