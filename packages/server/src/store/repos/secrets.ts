import type { SecretBox } from '../../lib/sealed-secrets.ts';
import type { Executor } from './executor.ts';

const VALUE = 'server_secrets.value';

/**
 * Secrets the installation makes for itself. The first process to offer one wins; all read that.
 * Values are sealed at rest (lib/sealed-secrets.ts).
 */
export class SecretsRepo {
  constructor(
    private readonly db: Executor,
    private readonly box: SecretBox,
  ) {}

  async get(name: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirst();
    return row && this.box.open(row.value, VALUE);
  }

  /** Stores `value` unless a secret of that name exists; answers the one that is kept. */
  async getOrCreate(name: string, value: string, now: number): Promise<string> {
    await this.db
      .insertInto('server_secrets')
      .values({ name, value: this.box.seal(value, VALUE), created_at: now })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const kept = await this.get(name);
    if (kept === undefined) throw new Error(`server secret ${name} vanished`);
    return kept;
  }
}
