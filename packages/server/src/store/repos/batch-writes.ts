import { CompiledQuery } from '../kysely.ts';
import type { Capabilities } from '../capabilities.ts';
import type { Database } from '../schema.ts';
import { type Executor, insertRows } from './executor.ts';

/** Everything a group commit writes once its decisions are made, as data. */
export interface WriteSet {
  inserts: Array<{ table: keyof Database & string; rows: readonly object[] }>;
  /** Micro-units to take from each account's balance (the decisions already checked them). */
  debits: Map<string, number>;
  /** Amounts to add to spend counters. */
  increments: Array<{ scope: string; period: string; amount: number }>;
}

// PostgreSQL takes at most 65,535 parameters per statement.
const MAX_PARAMS = 60_000;

/**
 * Writes a WriteSet. On PostgreSQL as few statements as the parameter limit allows — every insert
 * and update one data-modifying CTE of a single statement — because each round trip is time the
 * batch holds its accounts' wallet locks; on SQLite, where a statement costs no round trip, one
 * statement after another.
 */
export class BatchWritesRepo {
  constructor(
    private readonly db: Executor,
    private readonly caps: Capabilities,
  ) {}

  async write(set: WriteSet): Promise<void> {
    if (this.caps.writableCtes) return this.writeAsOneStatement(set);
    for (const { table, rows } of set.inserts) await insertRows(this.db, table, rows);
    for (const [id, amount] of set.debits) {
      await this.db.updateTable('accounts').set((eb) => ({ balance_micros: eb('balance_micros', '-', amount) })).where('id', '=', id).execute();
    }
    if (set.increments.length > 0) {
      await this.db
        .insertInto('spend')
        .values(set.increments.map((k) => ({ scope: k.scope, period: k.period, amount_micros: k.amount })))
        .onConflict((oc) => oc.columns(['scope', 'period']).doUpdateSet((eb) => ({ amount_micros: eb('spend.amount_micros', '+', eb.ref('excluded.amount_micros')) })))
        .execute();
    }
  }

  private async writeAsOneStatement(set: WriteSet): Promise<void> {
    const parts: Array<{ sql: (p: Params) => string; params: number }> = [];
    for (const { table, rows } of set.inserts) {
      if (rows.length === 0) continue;
      const columns = Object.keys(rows[0]!);
      const perPart = Math.max(1, Math.floor(MAX_PARAMS / columns.length / 2));
      for (let i = 0; i < rows.length; i += perPart) {
        const chunk = rows.slice(i, i + perPart);
        parts.push({
          params: chunk.length * columns.length,
          sql: (p) =>
            `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${chunk
              .map((r) => `(${columns.map((c) => p.add((r as Record<string, unknown>)[c] ?? null)).join(', ')})`)
              .join(', ')}`,
        });
      }
    }
    if (set.debits.size > 0) {
      parts.push({
        params: set.debits.size * 2,
        sql: (p) =>
          `update accounts set balance_micros = accounts.balance_micros - v.amount from (values ${[...set.debits]
            .map(([id, amount]) => `(${p.add(id)}::text, ${p.add(amount)}::bigint)`)
            .join(', ')}) as v(id, amount) where accounts.id = v.id`,
      });
    }
    if (set.increments.length > 0) {
      parts.push({
        params: set.increments.length * 3,
        sql: (p) =>
          `insert into spend (scope, period, amount_micros) values ${set.increments
            .map((k) => `(${p.add(k.scope)}, ${p.add(k.period)}, ${p.add(k.amount)})`)
            .join(', ')} on conflict (scope, period) do update set amount_micros = spend.amount_micros + excluded.amount_micros`,
      });
    }
    // Greedily pack the parts into statements under the parameter limit.
    let i = 0;
    while (i < parts.length) {
      const p = new Params();
      const ctes: string[] = [];
      let used = 0;
      while (i < parts.length && (ctes.length === 0 || used + parts[i]!.params <= MAX_PARAMS)) {
        used += parts[i]!.params;
        ctes.push(`w${ctes.length} as (${parts[i]!.sql(p)})`);
        i++;
      }
      await this.db.executeQuery(CompiledQuery.raw(`with ${ctes.join(', ')} select 1`, p.values));
    }
  }
}

class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}
