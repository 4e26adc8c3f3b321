import type { Kysely } from '../kysely.ts';

/** The 30-second TOTP step a user's last accepted code belonged to: a code works once, not for its whole window. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('totp_last_step', 'bigint').execute();
}
