import { notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import type { LookupRow } from '../../store/repos/lookups.ts';
import type { Principal } from '../access/auth.ts';
import { chargeFor, type Charged } from '../accept/plan.ts';
import { PriceTable } from '../billing/pricing.ts';
import { chargeFields } from '../billing/charge-fields.ts';
import type { ModuleContext } from '../context.ts';
import { checkCursor, page, type Page, pageSize } from '../pagination.ts';
import { describeNumber, type LookupInput } from './number-facts.ts';

export const LOOKUP_NUMBER_MAX_LENGTH = 64;

/** A lookup as the API shows it (POST /lookup, GET /lookups, GET /lookup/{id}). */
export function lookupView(r: LookupRow, currency: string) {
  return {
    id: r.id,
    number: r.number,
    valid: r.valid === 1,
    possible: r.possible === 1,
    country: r.country,
    type: r.type,
    validation_errors: r.validation_error ? [r.validation_error] : [],
    carrier: r.carrier,
    region: r.region,
    national_format: r.national_format,
    international_format: r.international_format,
    ...chargeFields(r, currency),
  };
}

export type LookupView = ReturnType<typeof lookupView>;

/** Looks a number up; answers the plan that charges the lookup price and stores the answer, atomically. */
export async function planLookup(ctx: ModuleContext, principal: Principal, input: LookupInput): Promise<Charged<LookupView>> {
  const now = ctx.clock.now();
  const facts = await describeNumber(input);
  const price = (await PriceTable.load(ctx.store, 'lookup')).priceOf(facts.number, 'number');
  const row: LookupRow = {
    id: newId('lkp'),
    account_id: principal.accountId,
    key_id: principal.keyId,
    input: input.number,
    input_country: input.country ?? null,
    number: facts.number,
    valid: facts.valid ? 1 : 0,
    possible: facts.possible ? 1 : 0,
    country: facts.country,
    type: facts.type,
    validation_error: facts.validation_errors[0] ?? null,
    carrier: facts.carrier,
    region: facts.region,
    national_format: facts.national_format,
    international_format: facts.international_format,
    price_micros: price,
    sandbox: principal.test ? 1 : 0,
    created_at: now,
  };
  return {
    plan: { principal, at: now, charge: chargeFor(principal, price), reference: row.id, rows: { lookups: [row] }, jobs: [], events: [] },
    result: lookupView(row, ctx.currency),
  };
}

export async function listLookups(ctx: ModuleContext, accountId: string, q: { limit?: number; cursor?: string }): Promise<Page<LookupView>> {
  checkCursor('lkp', q.cursor);
  const size = pageSize(q.limit);
  return page(await ctx.store.lookups.list(accountId, q.cursor, size + 1), size, (r) => lookupView(r, ctx.currency));
}

export async function getLookup(ctx: ModuleContext, accountId: string, id: string): Promise<LookupView> {
  const row = await ctx.store.lookups.get(accountId, id);
  if (!row) throw notFound('Lookup');
  return lookupView(row, ctx.currency);
}
