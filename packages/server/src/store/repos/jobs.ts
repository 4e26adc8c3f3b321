import type { Selectable } from 'kysely';
import type { JobsTable } from '../schema.ts';
import { type Executor, insertChunked } from './executor.ts';

export type JobRow = Selectable<JobsTable>;

export class JobsRepo {
  constructor(private readonly db: Executor) {}

  async insertMany(rows: JobRow[]): Promise<void> {
    await insertChunked(rows, (chunk) => this.db.insertInto('jobs').values(chunk).execute());
  }

  async countByKind(kind: string): Promise<number> {
    const row = await this.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('kind', '=', kind)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
