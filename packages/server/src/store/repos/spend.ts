import type { Executor } from './executor.ts';

export class SpendRepo {
  constructor(private readonly db: Executor) {}

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
