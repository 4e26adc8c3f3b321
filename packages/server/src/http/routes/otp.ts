import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { type OtpSendInput, sendOtp } from '../../modules/otp/send.ts';
import { type OtpVerifyInput, verifyOtp } from '../../modules/otp/verify.ts';
import { otpSendBody, otpSendResponse, otpVerifyBody, otpVerifyResponse } from '../otp-schemas.ts';
import { sendAccepted } from '../pipeline.ts';
import { errorResponses } from '../schemas.ts';

export function otpRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  app.post(
    '/otp/send',
    {
      config: { scope: 'otp', idempotent: true },
      schema: {
        tags: ['otp'],
        summary: 'Send a one-time code (or resend it, while the verification is pending)',
        security: [{ apiKey: [] }],
        body: otpSendBody,
        response: { 200: otpSendResponse, ...errorResponses },
      },
    },
    async (req, reply) => {
      const result = await sendOtp(ctx, req.principal!, req.body as OtpSendInput, { clientIp: req.ip }, req.idempotency?.claim ?? null);
      return sendAccepted(req, reply, result);
    },
  );

  app.post(
    '/otp/verify',
    {
      config: { scope: 'otp' },
      schema: {
        tags: ['otp'],
        summary: 'Check a code',
        security: [{ apiKey: [] }],
        body: otpVerifyBody,
        response: { 200: otpVerifyResponse, ...errorResponses },
      },
    },
    async (req) => verifyOtp(ctx, req.principal!, req.body as OtpVerifyInput),
  );
}
