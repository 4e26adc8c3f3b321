import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { openDb } from '../../src/store/db.ts';
import { type Compilable, CompiledQuery, type Kysely, sql } from '../../src/store/kysely.ts';
import { migrateToLatest } from '../../src/store/migrations/index.ts';
import { MessagesRepo } from '../../src/store/repos/messages.ts';
import type { Database } from '../../src/store/schema.ts';
import { BACKENDS, throwawayDatabase } from '../support/harness.ts';

/**
 * The partial indexes of migration 0023 only help if the planner can match their conditions to
 * the queries that need them: these check, on each backend's own planner, that it does.
 */
describe.each(BACKENDS)('the lean message and job indexes on %s', (backend) => {
  let db: Kysely<Database>;
  let drop: () => Promise<void>;
  let messages: MessagesRepo;

  beforeAll(async () => {
    const database = await throwawayDatabase(backend);
    drop = database.drop;
    db = openDb(loadConfig(database.env)).db;
    await migrateToLatest(db);
    messages = new MessagesRepo(db);
  });
  afterAll(async () => {
    await db.destroy();
    await drop();
  });

  /** The index names the planner chose for a query (PostgreSQL told to avoid whole-table scans). */
  async function indexesUsed(query: Compilable): Promise<string[]> {
    const { sql: text, parameters } = query.compile();
    if (backend === 'sqlite') {
      const plan = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${text}`, [...parameters]));
      return plan.rows.flatMap((r) => [...r.detail.matchAll(/INDEX (\w+)/g)].map((m) => m[1]!));
    }
    return db.transaction().execute(async (tx) => {
      await sql`set local enable_seqscan = off`.execute(tx);
      const plan = await tx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain ${text}`, [...parameters]));
      return plan.rows.flatMap((r) => [...r['QUERY PLAN'].matchAll(/Index (?:Only )?Scan(?: Backward)? using (\w+)/g)].map((m) => m[1]!));
    });
  }

  async function indexNames(table: string): Promise<string[]> {
    const rows =
      backend === 'sqlite'
        ? (await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = ${table}`.execute(db)).rows
        : (await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = ${table}`.execute(db)).rows;
    return rows.map((r) => r.name);
  }

  it('lists an account’s inbound messages through messages_inbound', async () => {
    expect(await indexesUsed(messages.listQuery('acc_1', { direction: 'inbound' }, 50))).toContain('messages_inbound');
  });

  it('lists its outbound messages, newest first, through messages_account', async () => {
    expect(await indexesUsed(messages.listQuery('acc_1', { direction: 'outbound' }, 50))).toContain('messages_account');
  });

  it('counts a campaign’s messages through the partial messages_campaign', async () => {
    expect(await indexesUsed(messages.countByStatusQuery('cmp_1'))).toContain('messages_campaign');
  });

  it('keeps no index that every job and every status change would rewrite for nothing', async () => {
    expect(await indexNames('jobs')).not.toContain('jobs_group');
    expect(await indexNames('messages')).not.toContain('messages_direction');
  });
});
