import type { Executor } from './executor.ts';

export class PricesRepo {
  constructor(private readonly db: Executor) {}

  async list(channel: string): Promise<Array<{ prefix: string; price_micros: number }>> {
    return this.db.selectFrom('prices').select(['prefix', 'price_micros']).where('channel', '=', channel).execute();
  }

  async set(channel: string, prefix: string, priceMicros: number): Promise<void> {
    await this.db
      .insertInto('prices')
      .values({ channel, prefix, price_micros: priceMicros })
      .onConflict((oc) => oc.columns(['channel', 'prefix']).doUpdateSet({ price_micros: priceMicros }))
      .execute();
  }
}
