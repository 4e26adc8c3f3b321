import { sql } from 'kysely';
import type { Dialect } from '../db.ts';
import type { Executor } from './executor.ts';
import { SpendRepo } from './spend.ts';
import { WalletRepo } from './wallet.ts';

export interface ChargeInput {
  accountId: string;
  amount: number;
  /** Spend counters to bump by `amount` (scope "acc:…"/"key:…", period "d:…"/"m:…"). */
  counters: Array<{ scope: string; period: string }>;
  ledgerId: string;
  reference: string;
  now: number;
}

export interface ChargeResult {
  /** Each counter's total after the bump, in the order given. */
  counterTotals: number[];
  /** The new balance; undefined when it would have gone below zero (nothing was debited). */
  balance: number | undefined;
}

/**
 * The part of an accept that touches rows shared by all of an account's requests: its spend
 * counters and its wallet. Those row locks are held until commit, so on PostgreSQL it is one
 * statement — a round trip per step would keep the locks across several event-loop turns and
 * make every request of a busy account queue behind the others.
 */
export class ChargesRepo {
  constructor(
    private readonly db: Executor,
    private readonly dialect: Dialect,
  ) {}

  async charge(c: ChargeInput): Promise<ChargeResult> {
    if (this.dialect === 'sqlite') return this.chargeStepwise(c);
    const counterCtes = c.counters.map(
      (k, i) => sql`${sql.raw(`c${i}`)} as (
        insert into spend (scope, period, amount_micros) values (${k.scope}, ${k.period}, ${c.amount})
        on conflict (scope, period) do update set amount_micros = spend.amount_micros + excluded.amount_micros
        returning amount_micros)`,
    );
    const wallet = sql`w as (
      update accounts set balance_micros = balance_micros - ${c.amount}::bigint
      where id = ${c.accountId} and balance_micros >= ${c.amount}::bigint
      returning balance_micros)`;
    // Runs even though the final select does not read it (PostgreSQL executes every
    // data-modifying WITH exactly once); it inserts nothing when the debit was refused.
    const ledger = sql`l as (
      insert into ledger (id, account_id, amount_micros, balance_after_micros, kind, reference, note, created_at)
      select ${c.ledgerId}::text, ${c.accountId}::text, ${-c.amount}::bigint, balance_micros, 'debit', ${c.reference}::text, null, ${c.now}::bigint
      from w)`;
    const columns = [
      sql`(select balance_micros from w) as balance`,
      ...c.counters.map((_, i) => sql`(select amount_micros from ${sql.raw(`c${i}`)}) as ${sql.raw(`c${i}`)}`),
    ];
    const result = await sql<Record<string, number | null>>`with ${sql.join([...counterCtes, wallet, ledger])} select ${sql.join(columns)}`.execute(this.db);
    const row = result.rows[0]!;
    return {
      counterTotals: c.counters.map((_, i) => Number(row[`c${i}`])),
      balance: row.balance === null || row.balance === undefined ? undefined : Number(row.balance),
    };
  }

  /** SQLite has one writer at a time and no DML in WITH: the same steps, one after another. */
  private async chargeStepwise(c: ChargeInput): Promise<ChargeResult> {
    const spend = new SpendRepo(this.db);
    const wallet = new WalletRepo(this.db);
    const counterTotals: number[] = [];
    for (const k of c.counters) counterTotals.push(await spend.add(k.scope, k.period, c.amount));
    const balance = await wallet.move(c.accountId, -c.amount);
    if (balance !== undefined) {
      await wallet.appendLedger({
        id: c.ledgerId,
        account_id: c.accountId,
        amount_micros: -c.amount,
        balance_after_micros: balance,
        kind: 'debit',
        reference: c.reference,
        note: null,
        created_at: c.now,
      });
    }
    return { counterTotals, balance };
  }
}
