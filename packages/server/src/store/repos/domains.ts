import type { Selectable } from '../kysely.ts';
import type { DomainsTable } from '../schema.ts';
import type { SecretBox } from '../../lib/sealed-secrets.ts';
import type { Executor } from './executor.ts';

export type DomainRow = Selectable<DomainsTable>;

/** The sealed column's name, authenticated with each value (lib/sealed-secrets.ts). */
const KEY = 'domains.private_key';

/** Sending domains; the DKIM private key is sealed on the way in and opened on the way out. */
export class DomainsRepo {
  constructor(
    private readonly db: Executor,
    private readonly box: SecretBox,
  ) {}

  /** Adds the domain; false when the account already has it. */
  async insert(row: DomainRow): Promise<boolean> {
    const r = await this.db
      .insertInto('domains')
      .values({ ...row, private_key: this.box.seal(row.private_key, KEY) })
      .onConflict((oc) => oc.columns(['account_id', 'domain']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async get(accountId: string, id: string): Promise<DomainRow | undefined> {
    return this.opened(await this.db.selectFrom('domains').selectAll().where('account_id', '=', accountId).where('id', '=', id).executeTakeFirst());
  }

  async byName(accountId: string, domain: string): Promise<DomainRow | undefined> {
    return this.opened(await this.db.selectFrom('domains').selectAll().where('account_id', '=', accountId).where('domain', '=', domain).executeTakeFirst());
  }

  async list(accountId: string): Promise<DomainRow[]> {
    const rows = await this.db.selectFrom('domains').selectAll().where('account_id', '=', accountId).orderBy('id').execute();
    return rows.map((r) => this.opened(r)!);
  }

  async markVerified(id: string, now: number): Promise<void> {
    await this.db.updateTable('domains').set({ status: 'verified', verified_at: now }).where('id', '=', id).execute();
  }

  private opened(row: DomainRow | undefined): DomainRow | undefined {
    return row && { ...row, private_key: this.box.open(row.private_key, KEY) };
  }
}
