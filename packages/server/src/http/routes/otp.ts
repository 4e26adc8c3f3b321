import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { planOtpSend } from '../../modules/otp/send.ts';
import { verifyOtp } from '../../modules/otp/verify.ts';
import { authenticated, charged } from '../route.ts';
import { otpSendBody, otpSendResponse, otpVerifyBody, otpVerifyResponse } from '../schemas/otp.ts';

/** POST /otp/send and POST /otp/verify. */
export function otpRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  charged(
    app,
    ctx,
    {
      method: 'POST',
      url: '/otp/send',
      scope: 'otp',
      tag: 'otp',
      summary: 'Send a one-time code (or resend it, while the verification is pending)',
      schema: { body: otpSendBody, response: { 200: otpSendResponse } },
    },
    (req, principal) => planOtpSend(ctx, principal, req.body, { clientIp: req.ip }),
  );
  authenticated(
    app,
    { method: 'POST', url: '/otp/verify', scope: 'otp', tag: 'otp', summary: 'Check a code', schema: { body: otpVerifyBody, response: { 200: otpVerifyResponse } } },
    (req, principal) => verifyOtp(ctx, principal, req.body),
  );
}
