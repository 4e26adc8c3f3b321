import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { planSms } from '../../modules/messages/sms.ts';
import { charged } from '../route.ts';
import { smsSendBody, smsSendResponse } from '../schemas/sms.ts';

/** POST /sms/send. */
export function smsRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  charged(
    app,
    ctx,
    {
      method: 'POST',
      url: '/sms/send',
      scope: 'sms:send',
      tag: 'sms',
      summary: 'Send an SMS, or a campaign to many recipients',
      schema: { body: smsSendBody, response: { 200: smsSendResponse } },
    },
    (req, principal) => planSms(ctx, principal, req.body),
  );
}
