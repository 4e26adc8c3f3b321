import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import type { DestinationStream } from 'pino';
import { type Config, loadConfig } from '../../src/config/config.ts';
import type { Clock } from '../../src/lib/clock.ts';
import type { DashboardBuild } from '../../src/http/dashboard.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { parseMicros } from '../../src/lib/money.ts';
import { createServer, openRuntime, type Runtime } from '../../src/main.ts';
import { createAccount, type AccountStatus } from '../../src/modules/access/accounts.ts';
import { createKey } from '../../src/modules/access/keys.ts';
import { parseScopes, SCOPES } from '../../src/modules/access/scopes.ts';
import { approveSender } from '../../src/modules/messages/senders.ts';
import { topUp } from '../../src/modules/billing/wallet.ts';
import { ThreadWriteLock } from '../../src/store/thread-write-lock.ts';

export type Backend = 'sqlite' | 'postgres';
/** Every HTTP test runs on both stores. */
export const BACKENDS: Backend[] = ['sqlite', 'postgres'];

export const PG_ADMIN_URL = process.env.HELLIO_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_TEST_URL = process.env.HELLIO_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A database made for one test file; `turns` when the runtimes opened on it share one process's write turns. */
export interface ThrowawayDatabase {
  env: Record<string, string>;
  drop(): Promise<void>;
  /**
   * SQLite: the write turns (store/thread-write-lock.ts) of every harness opened on it. Runtimes
   * in one thread must take turns: a transaction waits for statements between its BEGIN and its
   * COMMIT, and another runtime's BEGIN meeting it in SQLite's busy handler would stop the thread.
   */
  turns?: SharedArrayBuffer;
}

/** A throwaway database: a temp directory for SQLite, a fresh PostgreSQL database otherwise. */
export async function throwawayDatabase(backend: Backend): Promise<ThrowawayDatabase> {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'hellio-test-'));
    return { env: { HELLIO_DATA_DIR: dir }, drop: async () => rmSync(dir, { recursive: true, force: true }), turns: ThreadWriteLock.memory() };
  }
  const name = `hellio_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    // Without a key in the environment every process would use the key file of its working
    // directory (tests and the CLI run from different ones); each database gets its own key.
    env: { DATABASE_URL: url.toString(), HELLIO_SECRET_KEY: randomBytes(32).toString('base64') },
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      // A pool's end() resolves before the server has closed every session; forcing the drop
      // then kills a closing client, which surfaces as an unhandled error. Wait for them first.
      for (let i = 0; i < 100; i++) {
        const r = await c.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
        if (r.rows[0].n === 0) break;
        await new Promise((res) => setTimeout(res, 20));
      }
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export interface HarnessOptions {
  env?: Record<string, string>;
  /** Where logs go (tests that inspect them); silent otherwise. */
  logStream?: DestinationStream;
  /** The clock of the runtime (a MovableClock moves time instead of waiting it out); the system's by default. */
  clock?: Clock;
  /** Reuse an existing database (a second app instance on the same data). */
  database?: ThrowawayDatabase;
  /** What /dashboard/ serves (nothing by default). */
  dashboard?: DashboardBuild;
}

export interface TestAccount {
  id: string;
  /** A live key holding every scope. */
  key: string;
  keyId: string;
}

export interface Harness {
  backend: Backend;
  config: Config;
  rt: Runtime;
  app: FastifyInstance;
  database: ThrowawayDatabase;
  /** An active account with a funded wallet, the HELLIO sender and example.com approved, and a key. */
  account(opts?: { balance?: string; status?: AccountStatus; scopes?: string; test?: boolean }): Promise<TestAccount>;
  key(accountId: string, opts?: { scopes?: string; test?: boolean; expiresAt?: number }): Promise<{ key: string; id: string }>;
  close(): Promise<void>;
}

/** Builds an app on a throwaway database of the given backend, in process (use app.inject). */
export async function createHarness(backend: Backend, opts: HarnessOptions = {}): Promise<Harness> {
  const database = opts.database ?? (await throwawayDatabase(backend));
  const config = loadConfig({ HELLIO_LOG_LEVEL: 'info', ...database.env, ...opts.env });
  const logger = createLogger(opts.logStream ? 'info' : 'silent', opts.logStream);
  const rt = await openRuntime(config, logger, { ...(opts.clock ? { clock: opts.clock } : {}), ...(database.turns ? { threadWriteLock: database.turns } : {}) });
  const app = await createServer(rt, opts.dashboard ?? null);
  await app.ready();

  const key: Harness['key'] = async (accountId, o = {}) => {
    const { row, key } = await createKey(rt.ctx, {
      accountId,
      scopes: o.scopes ? parseScopes(o.scopes).scopes : [...SCOPES],
      test: o.test ?? false,
      expiresAt: o.expiresAt ?? null,
    });
    return { key, id: row.id };
  };

  return {
    backend,
    config,
    rt,
    app,
    database,
    key,
    async account(o = {}) {
      const acc = await createAccount(rt.ctx, `acct-${randomBytes(3).toString('hex')}`, o.status ?? 'active');
      const balance = parseMicros(o.balance ?? '100.00')!;
      if (balance > 0) await topUp(rt.ctx, acc.id, balance);
      await approveSender(rt.ctx, acc.id, 'HELLIO');
      await approveSender(rt.ctx, acc.id, 'example.com');
      const k = await key(acc.id, { ...(o.scopes ? { scopes: o.scopes } : {}), ...(o.test ? { test: true } : {}) });
      return { id: acc.id, key: k.key, keyId: k.id };
    },
    async close() {
      await app.close();
      await rt.close();
      if (!opts.database) await database.drop();
    },
  };
}

/** Authorization header for a key (bearer form). */
export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
