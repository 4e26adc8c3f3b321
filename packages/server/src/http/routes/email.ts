import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { planEmail } from '../../modules/messages/email.ts';
import { charged } from '../route.ts';
import { emailSendBody, emailSendResponse } from '../schemas/email.ts';

/** POST /send (the HeliosSend email API). */
export function emailRoutes(app: FastifyInstance, ctx: ModuleContext, opts: { bodyLimit: number }): void {
  charged(
    app,
    ctx,
    {
      method: 'POST',
      url: '/send',
      scope: 'email:send',
      tag: 'email',
      summary: 'Send an email',
      bodyLimit: opts.bodyLimit,
      schema: { body: emailSendBody, response: { 200: emailSendResponse } },
    },
    (req, principal) => planEmail(ctx, principal, req.body),
  );
}
