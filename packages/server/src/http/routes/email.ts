import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { type EmailSendInput, sendEmail } from '../../modules/email.ts';
import { sendAccepted } from '../pipeline.ts';
import { emailSendBody, emailSendResponse, errorResponses } from '../schemas.ts';

export function emailRoutes(app: FastifyInstance, ctx: ModuleContext, opts: { bodyLimit: number }): void {
  app.post(
    '/send',
    {
      bodyLimit: opts.bodyLimit,
      config: { scope: 'email:send', idempotent: true },
      schema: {
        tags: ['email'],
        summary: 'Send an email',
        security: [{ apiKey: [] }],
        body: emailSendBody,
        response: { 200: emailSendResponse, ...errorResponses },
      },
    },
    async (req, reply) => {
      const result = await sendEmail(ctx, req.principal!, req.body as EmailSendInput, req.idempotency?.claim ?? null);
      return sendAccepted(req, reply, result);
    },
  );
}
