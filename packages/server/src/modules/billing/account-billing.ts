import { type FieldError, validationError } from '../../lib/errors.ts';
import { formatMicros, parseMicros } from '../../lib/money.ts';
import { rfc3339 } from '../../lib/time.ts';
import type { LedgerFilter, LedgerRow } from '../../store/repos/wallet.ts';
import { getAccount, setAccountCaps } from '../access/accounts.ts';
import type { Deps } from '../deps.ts';
import { parseRange } from '../date-range.ts';
import { checkCursor, page, pageSize } from '../pagination.ts';
import type { AuditActor } from '../people/actor.ts';
import { audit } from '../people/audit.ts';
import { balanceOf, setLowBalanceAlert } from './wallet.ts';
import { csvField } from '../../lib/csv.ts';

/** What billing reads need: the store, the clock and the deployment's currency. */
export type BillingDeps = Deps & { currency: string };

export const LEDGER_KINDS: readonly LedgerRow['kind'][] = ['topup', 'adjustment', 'debit', 'refund'];
/** Rows read at a time while a CSV export streams out. */
const CSV_PAGE = 500;

const money = (micros: number | null) => (micros === null ? null : formatMicros(micros));

/** The wallet, the spend caps with what this day and month used of them, and the low-balance alert. */
export async function billingOf(deps: BillingDeps, accountId: string) {
  const [b, account] = await Promise.all([balanceOf(deps, accountId), getAccount(deps.store, accountId)]);
  return {
    balance: formatMicros(b.balance),
    currency: deps.currency,
    spend_caps: {
      daily: { limit: money(b.daily.limit), used: formatMicros(b.daily.used) },
      monthly: { limit: money(b.monthly.limit), used: formatMicros(b.monthly.used) },
    },
    low_balance_alert: { below: money(account.balance_low_micros) },
  };
}

/** Reads an amount of a request ("5.00", or null for none); every bad one is a field error. */
function amountOf(field: string, text: string | null, errors: FieldError[], positive = false): number | null {
  if (text === null) return null;
  const micros = parseMicros(text);
  if (micros === null || (positive && micros === 0)) {
    errors.push({ field, message: `must be a decimal amount such as "10.00"${positive ? ' greater than 0' : ''}, or null for none` });
    return null;
  }
  return micros;
}

/** Sets both of the account's spend caps (null: none), audited; answers the billing view. */
export async function setCaps(deps: BillingDeps, actor: AuditActor, accountId: string, input: { daily: string | null; monthly: string | null }) {
  const errors: FieldError[] = [];
  const daily = amountOf('daily', input.daily, errors);
  const monthly = amountOf('monthly', input.monthly, errors);
  if (errors.length > 0) throw validationError(errors);
  const { store, clock } = deps;
  await store.transaction(async (tx) => {
    const before = await getAccount(tx, accountId);
    const after = await setAccountCaps({ store: tx, clock }, accountId, { daily, monthly });
    const caps = (a: typeof before) => ({ daily: money(a.daily_cap_micros), monthly: money(a.monthly_cap_micros) });
    await audit(tx, actor, { accountId, action: 'billing.caps', target: accountId, before: caps(before), after: caps(after) }, clock.now());
  });
  return billingOf(deps, accountId);
}

/** Sets the balance below which a debit announces balance.low (null: never), audited; answers the billing view. */
export async function setLowBalance(deps: BillingDeps, actor: AuditActor, accountId: string, below: string | null) {
  const errors: FieldError[] = [];
  const threshold = amountOf('below', below, errors, true);
  if (errors.length > 0) throw validationError(errors);
  const { store, clock } = deps;
  await store.transaction(async (tx) => {
    const before = await getAccount(tx, accountId);
    await setLowBalanceAlert({ store: tx, clock }, accountId, threshold);
    await audit(tx, actor, { accountId, action: 'billing.low_balance_alert', target: accountId, before: { below: money(before.balance_low_micros) }, after: { below: money(threshold) } }, clock.now());
  });
  return billingOf(deps, accountId);
}

/** One ledger row as the API shows it. */
export function ledgerView(r: LedgerRow, currency: string) {
  return {
    id: r.id,
    kind: r.kind,
    amount: formatMicros(r.amount_micros),
    balance_after: formatMicros(r.balance_after_micros),
    currency,
    reference: r.reference,
    note: r.note,
    created_at: rfc3339(r.created_at),
  };
}

export interface LedgerQuery {
  limit?: number;
  cursor?: string;
  kind?: string;
  from?: string;
  to?: string;
}

function ledgerFilter(q: LedgerQuery): LedgerFilter {
  if (q.kind !== undefined && !(LEDGER_KINDS as readonly string[]).includes(q.kind)) {
    throw validationError([{ field: 'kind', message: `must be one of ${LEDGER_KINDS.join(', ')}` }]);
  }
  const range = parseRange(q);
  return { ...(q.kind !== undefined ? { kind: q.kind as LedgerRow['kind'] } : {}), ...range };
}

/** A page of the account's ledger, newest first; by kind and creation time [from, to). */
export async function listLedger(deps: BillingDeps, accountId: string, q: LedgerQuery) {
  checkCursor('led', q.cursor);
  const filter = ledgerFilter(q);
  const size = pageSize(q.limit);
  const rows = await deps.store.wallet.ledgerPage(accountId, { ...filter, ...(q.cursor !== undefined ? { before: q.cursor } : {}) }, size + 1);
  return page(rows, size, (r) => ledgerView(r, deps.currency));
}

const CSV_HEADER = 'id,created_at,kind,amount,balance_after,currency,reference,note\r\n';

/**
 * The whole filtered ledger as CSV (RFC 4180, newest first), produced a page at a time so that
 * an export of any length streams in constant memory. Filters are checked before the first line.
 */
export function ledgerCsv(deps: BillingDeps, accountId: string, q: Omit<LedgerQuery, 'limit' | 'cursor'>): AsyncGenerator<string> {
  const filter = ledgerFilter(q);
  return (async function* () {
    yield CSV_HEADER;
    let before: string | undefined;
    for (;;) {
      const rows = await deps.store.wallet.ledgerPage(accountId, { ...filter, ...(before !== undefined ? { before } : {}) }, CSV_PAGE);
      if (rows.length === 0) return;
      yield rows
        .map((r) =>
          [
            r.id,
            rfc3339(r.created_at),
            r.kind,
            formatMicros(r.amount_micros),
            formatMicros(r.balance_after_micros),
            deps.currency,
            csvField(r.reference, true),
            csvField(r.note, true),
          ].join(','),
        )
        .join('\r\n')
        .concat('\r\n');
      if (rows.length < CSV_PAGE) return;
      before = rows[rows.length - 1]!.id;
    }
  })();
}
