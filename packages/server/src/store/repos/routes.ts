import type { Selectable } from '../kysely.ts';
import type { RoutesTable } from '../schema.ts';
import type { Executor } from './executor.ts';

export type RouteRow = Selectable<RoutesTable>;

export class RoutesRepo {
  constructor(private readonly db: Executor) {}

  async list(channel?: string): Promise<RouteRow[]> {
    let q = this.db.selectFrom('routes').selectAll();
    if (channel !== undefined) q = q.where('channel', '=', channel);
    return q.orderBy('channel').orderBy('prefix').execute();
  }

  async set(row: RouteRow): Promise<void> {
    await this.db
      .insertInto('routes')
      .values(row)
      .onConflict((oc) => oc.columns(['channel', 'prefix']).doUpdateSet({ provider: row.provider, fallback: row.fallback }))
      .execute();
  }

  async remove(channel: string, prefix: string): Promise<boolean> {
    const r = await this.db.deleteFrom('routes').where('channel', '=', channel).where('prefix', '=', prefix).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }
}
