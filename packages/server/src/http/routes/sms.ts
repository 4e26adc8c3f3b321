import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { type SmsSendInput, sendSms } from '../../modules/sms.ts';
import { sendAccepted } from '../pipeline.ts';
import { errorResponses, smsSendBody, smsSendResponse } from '../schemas.ts';

export function smsRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  app.post(
    '/sms/send',
    {
      config: { scope: 'sms:send', idempotent: true },
      schema: {
        tags: ['sms'],
        summary: 'Send an SMS, or a campaign to many recipients',
        security: [{ apiKey: [] }],
        body: smsSendBody,
        response: { 200: smsSendResponse, ...errorResponses },
      },
    },
    async (req, reply) => {
      const result = await sendSms(ctx, req.principal!, req.body as SmsSendInput, req.idempotency?.claim ?? null);
      return sendAccepted(req, reply, result);
    },
  );
}
