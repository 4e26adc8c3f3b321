import type { Capabilities } from '../capabilities.ts';
import type { Executor } from './executor.ts';

/** A spend counter: scope "acc:…"/"key:…", period "d:2026-11-23"/"m:2026-11". */
export interface CounterKey {
  scope: string;
  period: string;
}

export const counterId = (k: CounterKey) => `${k.scope}|${k.period}`;

/** The hot rows of a batch of charges, as locked for it. */
export interface ChargeState {
  /** Balance per account id; an account missing from the map does not exist. */
  balances: Map<string, number>;
  /** Amount spent per counter (counterId); 0 when it has no row yet. */
  spent: Map<string, number>;
}

/**
 * The rows every charge of an account touches — its wallet and spend counters — read once per
 * batch of accepted requests (group commit), not once per request. On PostgreSQL the batch locks
 * the accounts' rows (in id order, so that two batches never wait for each other in a circle) and
 * holds them to its commit; the counters need no lock of their own, since only a holder of their
 * account's lock changes them. SQLite's transaction holds the write lock from its first statement.
 */
export class ChargesRepo {
  constructor(
    private readonly db: Executor,
    private readonly caps: Capabilities,
  ) {}

  async lock(accountIds: string[], counters: CounterKey[]): Promise<ChargeState> {
    const balances = new Map<string, number>();
    if (accountIds.length > 0) {
      let q = this.db.selectFrom('accounts').select(['id', 'balance_micros']).where('id', 'in', [...accountIds].sort()).orderBy('id');
      // NO KEY: the row is locked against other charges, not against inserts that reference it.
      if (this.caps.rowLocks) q = q.forNoKeyUpdate();
      for (const r of await q.execute()) balances.set(r.id, Number(r.balance_micros));
    }
    const spent = new Map<string, number>();
    if (counters.length > 0) {
      const rows = await this.db
        .selectFrom('spend')
        .select(['scope', 'period', 'amount_micros'])
        .where((eb) => eb.or(counters.map((k) => eb.and([eb('scope', '=', k.scope), eb('period', '=', k.period)]))))
        .execute();
      for (const r of rows) spent.set(counterId(r), Number(r.amount_micros));
    }
    return { balances, spent };
  }
}
