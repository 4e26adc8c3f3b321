import { notFound } from '../../lib/errors.ts';
import { isId } from '../../lib/ids.ts';
import type { EmailVerificationRow } from '../../store/repos/email-verifications.ts';
import { chargeFields } from '../billing/charge-fields.ts';
import type { ModuleContext } from '../context.ts';
import { checkCursor, page, pageSize } from '../pagination.ts';
import type { VerificationChecks } from './verifier.ts';

export const VERIFICATION_ID_PREFIX = 'emv';
export const RESULTS = ['deliverable', 'undeliverable', 'risky', 'unknown'] as const;

/** A stored verification as the API shows it: SPEC §3's fields, then id, price and when. */
export function verificationView(r: EmailVerificationRow, currency: string) {
  return {
    id: r.id,
    email: r.email,
    result: r.result,
    reason: r.reason,
    checks: JSON.parse(r.checks) as VerificationChecks,
    mx_hosts: JSON.parse(r.mx_hosts) as string[],
    suggestion: r.suggestion,
    ...chargeFields(r, currency),
  };
}

export type VerificationView = ReturnType<typeof verificationView>;

/** One of the account's verifications; another account's id is "not found", exactly like a missing one. */
export async function getVerification(ctx: ModuleContext, accountId: string, id: string): Promise<VerificationView> {
  const row = isId(VERIFICATION_ID_PREFIX, id) ? await ctx.store.emailVerifications.get(accountId, id) : undefined;
  if (!row) throw notFound('Email verification');
  return verificationView(row, ctx.currency);
}

/** The account's verifications, newest first, optionally of one result. */
export async function listVerifications(ctx: ModuleContext, accountId: string, q: { limit?: number; cursor?: string; result?: (typeof RESULTS)[number] }) {
  checkCursor(VERIFICATION_ID_PREFIX, q.cursor);
  const size = pageSize(q.limit);
  const rows = await ctx.store.emailVerifications.list(
    accountId,
    { ...(q.cursor !== undefined ? { before: q.cursor } : {}), ...(q.result !== undefined ? { result: q.result } : {}) },
    size + 1,
  );
  return page(rows, size, (r) => verificationView(r, ctx.currency));
}
