import type { Selectable } from '../kysely.ts';
import type { AuditLogTable } from '../schema.ts';
import type { Executor } from './executor.ts';

export type AuditRow = Selectable<AuditLogTable>;

/** The audit log: append, and read newest first (ids sort by time). */
export class AuditRepo {
  constructor(private readonly db: Executor) {}

  async insert(row: AuditRow): Promise<void> {
    await this.db.insertInto('audit_log').values(row).execute();
  }

  /** Newest first, before `cursor`; one account's rows, or every row when accountId is null. */
  async list(opts: { accountId: string | null; limit: number; cursor?: string; action?: string }): Promise<AuditRow[]> {
    let q = this.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(opts.limit);
    if (opts.accountId !== null) q = q.where('account_id', '=', opts.accountId);
    if (opts.cursor) q = q.where('id', '<', opts.cursor);
    if (opts.action) q = q.where('action', '=', opts.action);
    return q.execute();
  }
}
