import type { Selectable } from '../kysely.ts';
import type { EmailVerificationsTable } from '../schema.ts';
import type { Executor } from './executor.ts';

export type EmailVerificationRow = Selectable<EmailVerificationsTable>;

export class EmailVerificationsRepo {
  constructor(private readonly db: Executor) {}

  async get(accountId: string, id: string): Promise<EmailVerificationRow | undefined> {
    return this.db
      .selectFrom('email_verifications')
      .selectAll()
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .executeTakeFirst();
  }

  /** Newest first; `before` is the cursor (an id: ids are time-ordered). */
  async list(accountId: string, opts: { before?: string; result?: EmailVerificationRow['result'] }, limit: number): Promise<EmailVerificationRow[]> {
    let q = this.db.selectFrom('email_verifications').selectAll().where('account_id', '=', accountId);
    if (opts.before !== undefined) q = q.where('id', '<', opts.before);
    if (opts.result !== undefined) q = q.where('result', '=', opts.result);
    return q.orderBy('id', 'desc').limit(limit).execute();
  }
}
