import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { REASONS } from '../../modules/email-verify/verifier.ts';
import { RESULTS, getVerification, listVerifications } from '../../modules/email-verify/verifications.ts';
import { EMAIL_VERIFY_MAX_INPUT, type EmailVerifyInput, verifyEmail } from '../../modules/email-verify/verify-email.ts';
import { MAX_PAGE } from '../../modules/reports.ts';
import { sendAccepted } from '../pipeline.ts';
import { errorResponses, idParams, pageOf } from '../schemas.ts';

const check = { type: ['boolean', 'null'] } as const;
const CHECKS = ['syntax', 'domain', 'mx', 'disposable', 'role', 'free', 'smtp', 'catch_all'] as const;

const verifyBody = {
  type: 'object',
  additionalProperties: false,
  required: ['email'],
  properties: {
    email: { type: 'string', minLength: 1, maxLength: EMAIL_VERIFY_MAX_INPUT, description: 'The address to verify' },
    smtp_check: { type: 'boolean', description: "Probe the mailbox over SMTP (RCPT TO, never DATA); default: the installation's setting" },
  },
} as const;

const verificationSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'emv_…' },
    email: { type: 'string' },
    result: { type: 'string', enum: RESULTS },
    reason: { type: 'string', enum: Object.keys(REASONS) },
    checks: {
      type: 'object',
      properties: Object.fromEntries(CHECKS.map((c) => [c, check])),
      description: 'Each check true or false, or null where it was not run',
    },
    mx_hosts: { type: 'array', items: { type: 'string' } },
    suggestion: { type: ['string', 'null'], description: 'The address with a likely typo in its domain fixed (gmial.com → gmail.com)' },
    price: { type: 'string' },
    currency: { type: 'string' },
    sandbox: { type: 'boolean' },
    created_at: { type: 'string' },
  },
} as const;

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE },
    cursor: { type: 'string', description: 'next_cursor of the previous page' },
    result: { type: 'string', enum: RESULTS },
  },
} as const;

const common = { tags: ['email verification'], security: [{ apiKey: [] }] };

export function emailVerifyRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  app.post(
    '/email/verify',
    {
      config: { scope: 'email:verify', idempotent: true },
      schema: {
        ...common,
        summary: 'Verify an email address: syntax, domain, MX, disposable, role, free provider, typo, optional SMTP probe',
        body: verifyBody,
        response: { 200: verificationSchema, ...errorResponses },
      },
    },
    async (req, reply) => {
      const result = await verifyEmail(ctx, req.principal!, req.body as EmailVerifyInput, req.idempotency?.claim ?? null);
      return sendAccepted(req, reply, result);
    },
  );
  app.get(
    '/email/verifications',
    {
      config: { scope: 'email:verify' },
      schema: { ...common, summary: 'List email verifications, newest first', querystring: listQuery, response: { 200: pageOf(verificationSchema), ...errorResponses } },
    },
    async (req) => listVerifications(ctx, req.principal!.accountId, req.query as Parameters<typeof listVerifications>[2]),
  );
  app.get(
    '/email/verifications/:id',
    {
      config: { scope: 'email:verify' },
      schema: { ...common, summary: 'One email verification', params: idParams('emv'), response: { 200: verificationSchema, ...errorResponses } },
    },
    async (req) => getVerification(ctx, req.principal!.accountId, (req.params as { id: string }).id),
  );
}
