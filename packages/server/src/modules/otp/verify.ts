import { AppError, type FieldError, notFound, validationError } from '../../lib/errors.ts';
import type { OtpRow } from '../../store/repos/otp.ts';
import type { Principal } from '../access/auth.ts';
import type { ModuleContext } from '../context.ts';
import { recordEvents } from '../webhooks/events.ts';
import { normaliseDestination } from './send.ts';
import { OTP_MAX_ATTEMPTS } from './settings.ts';
import { otpView } from './view.ts';

export interface OtpVerifyInput {
  id?: string;
  to?: string;
  code: string;
}

export interface OtpVerifyResult {
  id: string;
  status: OtpRow['status'];
  attempts_remaining: number;
}

const resultOf = (o: OtpRow): OtpVerifyResult => ({
  id: o.id,
  status: o.status,
  attempts_remaining: Math.max(0, OTP_MAX_ATTEMPTS - o.attempts),
});

/**
 * Checks a code (POST /otp/verify). Every check of a pending verification spends one attempt
 * before the comparison, atomically, so no number of concurrent guesses gets more than
 * OTP_MAX_ATTEMPTS. A verification that is no longer pending answers its status without a
 * comparison — except an approved one, whose code must not be accepted twice (409).
 */
export async function verifyOtp(ctx: ModuleContext, principal: Principal, input: OtpVerifyInput): Promise<OtpVerifyResult> {
  const errors: FieldError[] = [];
  if ((input.id === undefined) === (input.to === undefined)) errors.push({ field: 'id', message: 'give either id or to (one of them)' });
  const recipient = input.to === undefined ? null : normaliseDestination(input.to);
  if (input.to !== undefined && recipient === null) errors.push({ field: 'to', message: 'must be an E.164 number or an email address' });
  if (!/^\d{4,10}$/.test(input.code)) errors.push({ field: 'code', message: 'must be 4–10 digits' });
  if (errors.length > 0) throw validationError(errors);

  const accountId = principal.accountId;
  const found = input.id !== undefined ? await ctx.store.otp.get(accountId, input.id) : await ctx.store.otp.latestFor(accountId, recipient!);
  if (!found) throw input.id !== undefined ? notFound('Verification') : notFound(`Verification for ${recipient}`);

  return ctx.store.transaction(async (tx) => {
    const now = ctx.clock.now();
    // Answers a verification that is no longer open to guesses; an approved one is a reuse.
    const closed = (o: OtpRow): OtpVerifyResult => {
      if (o.status === 'approved') throw new AppError('otp_already_approved', `Verification ${o.id} was already approved; its code cannot be used again`);
      return resultOf(o);
    };
    // When a guarded update does not apply, another request changed the row meanwhile: read it
    // again rather than answer from a copy read before waiting for its lock.
    const fresh = async () => (await tx.otp.get(accountId, found.id))!;
    const settle = async (to: 'expired' | 'max_attempts_reached') => closed((await tx.otp.settle(found.id, to, now)) ?? (await fresh()));

    const o = await fresh();
    if (o.status !== 'pending') return closed(o);
    if (o.expires_at <= now) return settle('expired');
    const spent = await tx.otp.spendAttempt(o.id, OTP_MAX_ATTEMPTS, now);
    if (!spent) {
      const latest = await fresh();
      return latest.status === 'pending' && latest.attempts >= OTP_MAX_ATTEMPTS ? settle('max_attempts_reached') : closed(latest);
    }
    if (ctx.otp.keys.matches(spent.code_hash, spent.id, input.code)) {
      const approved = (await tx.otp.settle(spent.id, 'approved', now))!;
      await recordEvents(tx, [{ accountId, type: 'otp.approved', data: otpView(approved) }], now);
      return resultOf(approved);
    }
    if (spent.attempts >= OTP_MAX_ATTEMPTS) return settle('max_attempts_reached');
    return resultOf(spent);
  });
}
