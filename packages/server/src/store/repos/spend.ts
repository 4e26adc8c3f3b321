import type { Executor } from './executor.ts';

export class SpendRepo {
  constructor(private readonly db: Executor) {}

  /**
   * Adds to a spend counter and returns its new total. The upsert takes the row lock, so
   * concurrent requests see each other's spend and a cap can never be overshot by a race.
   */
  async add(scope: string, period: string, amount: number): Promise<number> {
    const row = await this.db
      .insertInto('spend')
      .values({ scope, period, amount_micros: amount })
      .onConflict((oc) =>
        oc.columns(['scope', 'period']).doUpdateSet((eb) => ({
          amount_micros: eb('spend.amount_micros', '+', eb.ref('excluded.amount_micros')),
        })),
      )
      .returning('amount_micros')
      .executeTakeFirstOrThrow();
    return row.amount_micros;
  }

  async get(scope: string, period: string): Promise<number> {
    const row = await this.db
      .selectFrom('spend')
      .select('amount_micros')
      .where('scope', '=', scope)
      .where('period', '=', period)
      .executeTakeFirst();
    return row?.amount_micros ?? 0;
  }
}
