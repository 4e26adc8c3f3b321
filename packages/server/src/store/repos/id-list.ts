import { type Expression, type SqlBool, sql } from '../kysely.ts';
import type { Capabilities } from '../capabilities.ts';

/**
 * `column IN (…ids)` as one parameter: a JSON array read with json_each on SQLite, an array
 * with `= any` on PostgreSQL. The statement's text is then the same for any number of ids, so
 * SQLite's prepared-statement cache (store/db.ts) holds one statement where an IN-list of each
 * length was a statement of its own, prepared afresh (~3 % of a delivery worker's time), and no
 * list runs into a parameter limit. SQLite still looks each id up in the index.
 */
export function idIn(caps: Capabilities, column: string, ids: readonly string[]): Expression<SqlBool> {
  return caps.arrayParameters
    ? sql<SqlBool>`${sql.ref(column)} = any(${[...ids]})`
    : sql<SqlBool>`${sql.ref(column)} in (select value from json_each(${JSON.stringify(ids)}))`;
}
