import { AppError, validationError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { EmailVerificationRow } from '../../store/repos/email-verifications.ts';
import type { Principal } from '../access/auth.ts';
import { chargeFor, type Charged } from '../accept/plan.ts';
import { PriceTable } from '../billing/pricing.ts';
import type { ModuleContext } from '../context.ts';
import { VERIFICATION_ID_PREFIX, type VerificationView, verificationView } from './verifications.ts';

/** Longer than any address can be (254 octets); the rest is refused as a request error, not verified. */
export const EMAIL_VERIFY_MAX_INPUT = 512;

export interface EmailVerifyInput {
  email: string;
  /** Probe the mailbox over SMTP; the installation's default (HELLIO_EMAIL_VERIFY_SMTP) when absent. */
  smtp_check?: boolean;
}

/**
 * POST /email/verify: verifies the address, then answers the plan that stores the answer and
 * charges its flat price in one transaction (caps, wallet, Idempotency-Key — the same commit as a
 * message). Sandbox keys are never charged and never probe a mail server: they get every check
 * but the SMTP ones.
 */
export async function planEmailVerification(ctx: ModuleContext, principal: Principal, input: EmailVerifyInput): Promise<Charged<VerificationView>> {
  if (input.email.trim().length === 0) throw validationError([{ field: 'email', message: 'must not be empty' }]);
  const price = (await PriceTable.load(ctx.store, 'email_verify')).priceOf('', 'email');
  const charge = chargeFor(principal, price);
  // The probe costs time and the reputation of this server's address: an account that cannot pay
  // is refused before it, not after. The debit at commit stays the authority (balances move).
  if (charge > 0 && ((await ctx.store.wallet.balance(principal.accountId)) ?? 0) < charge) {
    throw new AppError('insufficient_balance');
  }

  const smtp = !principal.test && (input.smtp_check ?? ctx.emailVerifier.settings.smtpByDefault);
  const v = await ctx.emailVerifier.verify(input.email, { smtp });
  const now = ctx.clock.now();
  const row: EmailVerificationRow = {
    id: newId(VERIFICATION_ID_PREFIX),
    account_id: principal.accountId,
    key_id: principal.keyId,
    email: v.email,
    result: v.result,
    reason: v.reason,
    checks: JSON.stringify(v.checks),
    mx_hosts: JSON.stringify(v.mx_hosts),
    suggestion: v.suggestion,
    price_micros: price,
    sandbox: principal.test ? 1 : 0,
    created_at: now,
  };
  return {
    plan: { principal, at: now, charge, reference: row.id, rows: { email_verifications: [row] }, jobs: [], events: [] },
    result: verificationView(row, ctx.currency),
  };
}
