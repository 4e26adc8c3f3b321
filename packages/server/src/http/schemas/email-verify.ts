/** POST /email/verify, GET /email/verifications, GET /email/verifications/{id}. */
import { REASONS } from '../../modules/email-verify/verifier.ts';
import { RESULTS } from '../../modules/email-verify/verifications.ts';
import { EMAIL_VERIFY_MAX_INPUT } from '../../modules/email-verify/verify-email.ts';
import { listQuery, nullable, str } from './common.ts';

const check = nullable('boolean');
const CHECKS = ['syntax', 'domain', 'mx', 'disposable', 'role', 'free', 'smtp', 'catch_all'] as const;

export const verifyBody = {
  type: 'object',
  additionalProperties: false,
  required: ['email'],
  properties: {
    email: str({ minLength: 1, maxLength: EMAIL_VERIFY_MAX_INPUT, description: 'The address to verify' }),
    smtp_check: { type: 'boolean', description: "Probe the mailbox over SMTP (RCPT TO, never DATA); default: the installation's setting" },
  },
} as const;

export const verificationSchema = {
  type: 'object',
  properties: {
    id: str({ description: 'emv_…' }),
    email: str(),
    result: str({ enum: RESULTS }),
    reason: str({ enum: Object.keys(REASONS) }),
    checks: {
      type: 'object',
      properties: Object.fromEntries(CHECKS.map((c) => [c, check])),
      description: 'Each check true or false, or null where it was not run',
    },
    mx_hosts: { type: 'array', items: str() },
    suggestion: { ...nullable('string'), description: 'The address with a likely typo in its domain fixed (gmial.com → gmail.com)' },
    price: str(),
    currency: str(),
    sandbox: { type: 'boolean' },
    created_at: str(),
  },
} as const;

export const verificationsQuery = listQuery({ result: str({ enum: RESULTS }) });
