import type { Executor } from './executor.ts';

export class PricesRepo {
  constructor(private readonly db: Executor) {}

  async list(channel: string): Promise<Array<{ prefix: string; price_micros: number }>> {
    return this.db.selectFrom('prices').select(['prefix', 'price_micros']).where('channel', '=', channel).execute();
  }

  /** Every channel's rows, by channel and prefix. */
  async listAll(): Promise<Array<{ channel: string; prefix: string; price_micros: number }>> {
    return this.db.selectFrom('prices').select(['channel', 'prefix', 'price_micros']).orderBy('channel').orderBy('prefix').execute();
  }

  /** One rate, or undefined. */
  async get(channel: string, prefix: string): Promise<number | undefined> {
    const r = await this.db.selectFrom('prices').select('price_micros').where('channel', '=', channel).where('prefix', '=', prefix).executeTakeFirst();
    return r?.price_micros;
  }

  /** Removes one rate; false when there was none. */
  async remove(channel: string, prefix: string): Promise<boolean> {
    const r = await this.db.deleteFrom('prices').where('channel', '=', channel).where('prefix', '=', prefix).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  async set(channel: string, prefix: string, priceMicros: number): Promise<void> {
    await this.db
      .insertInto('prices')
      .values({ channel, prefix, price_micros: priceMicros })
      .onConflict((oc) => oc.columns(['channel', 'prefix']).doUpdateSet({ price_micros: priceMicros }))
      .execute();
  }
}
