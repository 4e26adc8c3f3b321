import type { Executor } from './executor.ts';

/** Secrets the installation makes for itself. The first process to offer one wins; all read that. */
export class SecretsRepo {
  constructor(private readonly db: Executor) {}

  async get(name: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirst();
    return row?.value;
  }

  /** Stores `value` unless a secret of that name exists; answers the one that is kept. */
  async getOrCreate(name: string, value: string, now: number): Promise<string> {
    await this.db
      .insertInto('server_secrets')
      .values({ name, value, created_at: now })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const kept = await this.get(name);
    if (kept === undefined) throw new Error(`server secret ${name} vanished`);
    return kept;
  }
}
