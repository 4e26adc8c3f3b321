import { AppError, type FieldError, validationError } from '../../lib/errors.ts';
import type { Principal } from '../access/auth.ts';
import type { ChargePlan, Charged, PlanRows } from '../accept/plan.ts';
import type { ModuleContext } from '../context.ts';
import { type EmailSendInput, type EmailSendResult, planEmail } from './email.ts';

/** Emails one batch request may carry (Resend's limit too). */
export const EMAIL_BATCH_MAX = 100;

/** What a batch answers: the accepted emails in order, and (permissive) why the others were refused. */
export interface EmailBatchResult {
  accepted: EmailSendResult[];
  refused: Array<{ index: number; message: string }>;
}

/** The plans of several emails as one: one transaction, one debit of their total, every row, job and event. */
function mergePlans(plans: ChargePlan[]): ChargePlan {
  const rows: PlanRows = {};
  for (const p of plans) {
    for (const [table, list] of Object.entries(p.rows) as Array<[keyof PlanRows, unknown[]]>) {
      (rows[table] as unknown[] | undefined) = [...((rows[table] as unknown[] | undefined) ?? []), ...list];
    }
  }
  const first = plans[0]!;
  return {
    principal: first.principal,
    at: first.at,
    charge: plans.reduce((sum, p) => sum + p.charge, 0),
    reference: first.reference,
    rows,
    jobs: plans.flatMap((p) => p.jobs),
    events: plans.flatMap((p) => p.events),
  };
}

/** The refusal of the email at `index`, its fields named "[index].field". */
function atIndex(err: AppError, index: number): AppError {
  if (err.code !== 'validation_failed' || !err.errors) return new AppError(err.code, `[${index}]: ${err.message}`);
  return validationError(err.errors.map((e: FieldError) => ({ field: `[${index}].${e.field}`, message: e.message })));
}

/**
 * Validates and prices several emails (each exactly as one POST /send) and plans them as one
 * accept: all are queued and charged together, or none. `strict` refuses the whole batch for one
 * invalid email; `permissive` plans the valid ones and reports the others by index (nothing is
 * planned when none is valid).
 */
export async function planEmailBatch(ctx: ModuleContext, principal: Principal, inputs: EmailSendInput[], mode: 'strict' | 'permissive'): Promise<Charged<EmailBatchResult>> {
  if (inputs.length === 0) throw validationError([{ field: 'body', message: 'must hold at least one email' }]);
  if (inputs.length > EMAIL_BATCH_MAX) throw validationError([{ field: 'body', message: `must hold at most ${EMAIL_BATCH_MAX} emails` }]);
  const planned: Array<Charged<EmailSendResult>> = [];
  const refused: EmailBatchResult['refused'] = [];
  for (const [index, input] of inputs.entries()) {
    try {
      planned.push(await planEmail(ctx, principal, input));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      if (mode === 'strict') throw atIndex(err, index);
      refused.push({ index, message: err.message });
    }
  }
  if (planned.length === 0) throw new AppError('validation_failed', `No email of the batch is valid; [${refused[0]!.index}]: ${refused[0]!.message}`);
  return { plan: mergePlans(planned.map((c) => c.plan)), result: { accepted: planned.map((c) => c.result), refused } };
}
