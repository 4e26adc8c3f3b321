import { sql } from '../kysely.ts';
import type { SecretBox } from '../../lib/sealed-secrets.ts';
import type { Executor } from './executor.ts';

/** A column whose values are sealed at rest, with the column that names its rows. */
export interface SealedColumn {
  table: string;
  id: string;
  column: string;
}

/**
 * Every column the store seals (the repositories that own them seal and open their values).
 * Hashes (passwords, session ids, tokens, recovery codes) are not here: they are not secrets
 * to give back, only to compare with.
 */
export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: 'webhook_endpoints', id: 'id', column: 'secret' },
  { table: 'webhook_endpoints', id: 'id', column: 'previous_secret' },
  { table: 'domains', id: 'id', column: 'private_key' },
  { table: 'users', id: 'id', column: 'totp_secret' },
  { table: 'server_secrets', id: 'name', column: 'value' },
  { table: 'message_callbacks', id: 'message_id', column: 'token' },
];

/**
 * Bulk passes over the sealed columns: sealing the plaintext rows left from before encryption,
 * and sealing again under the current key after a rotation. Each call handles one batch of one
 * column and answers where to go on from, so no transaction is long.
 */
export class SealedColumnsRepo {
  constructor(
    private readonly db: Executor,
    private readonly box: SecretBox,
  ) {}

  /**
   * Seals up to `limit` values of `col` after row `after`: the plaintext ones (`which:
   * 'plaintext'`, the pass at start), or every one not sealed under the current key (`'stale'`,
   * a rotation: opened with the keyring first). Each row is written only if it still holds what
   * was read, so a concurrent change is never overwritten. `last` is where to go on from; null
   * when the column is done.
   */
  async resealBatch(col: SealedColumn, which: 'plaintext' | 'stale', after: string, limit: number): Promise<{ sealed: number; last: string | null }> {
    const current = which === 'plaintext' ? 'enc:%' : `enc:v1:${this.box.keyId}:%`;
    const rows = await sql<{ id: string; value: string }>`
      select ${sql.ref(col.id)} as id, ${sql.ref(col.column)} as value from ${sql.table(col.table)}
      where ${sql.ref(col.id)} > ${after} and ${sql.ref(col.column)} is not null and ${sql.ref(col.column)} not like ${current}
      order by ${sql.ref(col.id)} limit ${limit}`.execute(this.db);
    let sealed = 0;
    const context = `${col.table}.${col.column}`;
    for (const r of rows.rows) {
      const value = this.box.seal(this.box.open(r.value, context), context);
      const u = await sql`update ${sql.table(col.table)} set ${sql.ref(col.column)} = ${value}
        where ${sql.ref(col.id)} = ${r.id} and ${sql.ref(col.column)} = ${r.value}`.execute(this.db);
      sealed += Number(u.numAffectedRows ?? 0);
    }
    return { sealed, last: rows.rows.length < limit ? null : rows.rows[rows.rows.length - 1]!.id };
  }

  /** How many values of `col` are plaintext, or (`'stale'`) not sealed under the current key. */
  async count(col: SealedColumn, which: 'plaintext' | 'stale'): Promise<number> {
    const current = which === 'plaintext' ? 'enc:%' : `enc:v1:${this.box.keyId}:%`;
    const r = await sql<{ n: number | string }>`
      select count(*) as n from ${sql.table(col.table)}
      where ${sql.ref(col.column)} is not null and ${sql.ref(col.column)} not like ${current}`.execute(this.db);
    return Number(r.rows[0]?.n ?? 0);
  }
}
