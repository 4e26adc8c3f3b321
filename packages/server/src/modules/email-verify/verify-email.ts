import { AppError, validationError } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { EmailVerificationRow } from '../../store/repos/email-verifications.ts';
import type { AcceptPlan } from '../accept.ts';
import type { Principal } from '../auth.ts';
import type { ModuleContext } from '../context.ts';
import type { IdempotencyClaim } from '../idempotency.ts';
import { PriceTable } from '../pricing.ts';
import { VERIFICATION_ID_PREFIX, type VerificationView, verificationView } from './verifications.ts';

/** The price list channel of POST /email/verify: one flat rate (prefix ""). */
export const EMAIL_VERIFY_CHANNEL = 'email_verify';
/** Longer than any address can be (254 octets); the rest is refused as a request error, not verified. */
export const EMAIL_VERIFY_MAX_INPUT = 512;

export interface EmailVerifyInput {
  email: string;
  /** Probe the mailbox over SMTP; the installation's default (HELLIO_EMAIL_VERIFY_SMTP) when absent. */
  smtp_check?: boolean;
}

/**
 * POST /email/verify: verifies the address, then stores the answer and charges its flat price in
 * one transaction (caps, wallet, Idempotency-Key — the same commit as a message). Sandbox keys
 * are never charged and never probe a mail server: they get every check but the SMTP ones.
 */
export async function verifyEmail(
  ctx: ModuleContext,
  principal: Principal,
  input: EmailVerifyInput,
  claim: IdempotencyClaim | null,
): Promise<VerificationView> {
  if (input.email.trim().length === 0) throw validationError([{ field: 'email', message: 'must not be empty' }]);
  const price = (await PriceTable.load(ctx.store, EMAIL_VERIFY_CHANNEL)).rateFor('');
  // The migration inserts the rate; an operator who deleted it must set one, not give verifications away.
  if (price === null) throw new Error(`no price is set for the ${EMAIL_VERIFY_CHANNEL} channel`);
  const charge = principal.test ? 0 : price;
  // The probe costs time and the reputation of this server's address: an account that cannot pay
  // is refused before it, not after. The debit at commit stays the authority (balances move).
  if (charge > 0 && ((await ctx.store.wallet.balance(principal.accountId)) ?? 0) < charge) {
    throw new AppError('insufficient_balance');
  }

  const smtp = !principal.test && (input.smtp_check ?? ctx.emailVerifier.settings.smtpByDefault);
  const v = await ctx.emailVerifier.verify(input.email, { smtp });
  const now = Date.now();
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
  const view = verificationView(row, ctx.currency);
  const plan: AcceptPlan = {
    principal,
    charge,
    reference: row.id,
    campaign: null,
    messages: [],
    idempotency: claim ? { claim, status: 200, body: JSON.stringify(view) } : null,
    write: (tx) => tx.emailVerifications.insert(row),
  };
  await ctx.accepts.commit(plan, now);
  return view;
}
