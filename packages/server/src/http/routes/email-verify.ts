import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { getVerification, listVerifications } from '../../modules/email-verify/verifications.ts';
import { planEmailVerification } from '../../modules/email-verify/verify-email.ts';
import { authenticated, charged } from '../route.ts';
import { idParams, pageOf } from '../schemas/common.ts';
import { verificationSchema, verificationsQuery, verifyBody } from '../schemas/email-verify.ts';

const common = { scope: 'email:verify', tag: 'email verification' } as const;

/** POST /email/verify, GET /email/verifications, GET /email/verifications/{id}. */
export function emailVerifyRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  charged(
    app,
    ctx,
    {
      ...common,
      method: 'POST',
      url: '/email/verify',
      summary: 'Verify an email address: syntax, domain, MX, disposable, role, free provider, typo, optional SMTP probe',
      schema: { body: verifyBody, response: { 200: verificationSchema } },
    },
    (req, principal) => planEmailVerification(ctx, principal, req.body),
  );
  authenticated(
    app,
    {
      ...common,
      method: 'GET',
      url: '/email/verifications',
      session: 'lookups:read',
      summary: 'List email verifications, newest first',
      schema: { querystring: verificationsQuery, response: { 200: pageOf(verificationSchema) } },
    },
    (req, principal) => listVerifications(ctx, principal.accountId, req.query),
  );
  authenticated(
    app,
    {
      ...common,
      method: 'GET',
      url: '/email/verifications/:id',
      session: 'lookups:read',
      summary: 'One email verification',
      schema: { params: idParams('emv'), response: { 200: verificationSchema } },
    },
    (req, principal) => getVerification(ctx, principal.accountId, req.params.id),
  );
}
