/**
 * Read-only views over what an accepted (or refused) send wrote, for the SMS, email and wallet
 * tests. The typed store covers most of it; jobs and events have no per-account reader there, so
 * a second, read-only handle on the same database (openDb on the harness's config) fills in.
 */
import { Kysely, PostgresDialect } from '../../src/store/kysely.ts';
import pg from 'pg';
import { expect } from 'vitest';
import { openDb } from '../../src/store/db.ts';
import type { Database } from '../../src/store/schema.ts';
import type { Harness } from './harness.ts';

export interface Peek {
  /** The delivery jobs of these messages (matched on the job payload's message_id). */
  jobsFor(messageIds: readonly string[]): Promise<Array<{ kind: string; run_at: number; status: string; message_id: string }>>;
  /** Every row of each table that a send writes, database-wide. */
  totals(): Promise<{ messages: number; events: number; jobs: number; campaigns: number; ledger: number }>;
  close(): Promise<void>;
}

export function openPeek(h: Harness): Peek {
  // On PostgreSQL the pool's clients get an error listener of our own and are awaited on close:
  // pg's Pool.end() resolves before its sockets are gone, and the harness then drops the
  // database WITH (FORCE), whose "terminating connection" would otherwise go unhandled.
  const closed: Array<Promise<void>> = [];
  let k: Kysely<Database>;
  if (h.config.databaseUrl) {
    const pool = new pg.Pool({ connectionString: h.config.databaseUrl, max: 2 });
    pool.on('connect', (client) => {
      client.on('error', () => undefined);
      closed.push(new Promise((resolve) => client.once('end', () => resolve())));
    });
    k = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  } else {
    k = openDb({ databaseUrl: null, dataDir: h.config.dataDir }).db;
  }
  const count = async (table: 'messages' | 'message_events' | 'jobs' | 'campaigns' | 'ledger'): Promise<number> => {
    const row = await k
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  return {
    async jobsFor(messageIds) {
      const out: Array<{ kind: string; run_at: number; status: string; message_id: string }> = [];
      for (let i = 0; i < messageIds.length; i += 400) {
        const payloads = messageIds.slice(i, i + 400).map((id) => JSON.stringify({ message_id: id }));
        const rows = await k.selectFrom('jobs').select(['kind', 'run_at', 'status', 'payload']).where('payload', 'in', payloads).execute();
        for (const r of rows) {
          out.push({ kind: r.kind, run_at: Number(r.run_at), status: r.status, message_id: (JSON.parse(r.payload) as { message_id: string }).message_id });
        }
      }
      return out;
    },
    async totals() {
      const [messages, events, jobs, campaigns, ledger] = await Promise.all([
        count('messages'),
        count('message_events'),
        count('jobs'),
        count('campaigns'),
        count('ledger'),
      ]);
      return { messages, events, jobs, campaigns, ledger };
    },
    async close() {
      await k.destroy();
      await Promise.all(closed);
    },
  };
}

/** The money side of an account: balance, ledger sum and ledger rows, all in micro-units. */
export async function moneyOf(h: Harness, accountId: string) {
  const store = h.rt.store;
  const [balance, ledgerSum, ledger] = await Promise.all([
    store.wallet.balance(accountId),
    store.wallet.ledgerSum(accountId),
    store.wallet.ledger(accountId),
  ]);
  return { balance: balance!, ledgerSum, ledger };
}

/** Everything a send could have written for one account, plus database-wide row counts. */
export async function snapshotOf(h: Harness, peek: Peek, accountId: string) {
  const [money, messages, campaigns, totals] = await Promise.all([
    moneyOf(h, accountId),
    h.rt.store.messages.list(accountId, {}, 100_000),
    h.rt.store.campaigns.list(accountId, undefined, 100_000),
    peek.totals(),
  ]);
  return { ...money, messages: messages.length, campaigns: campaigns.length, totals };
}

interface Injected {
  statusCode: number;
  headers: Record<string, unknown>;
  json(): any;
}

/** Asserts the SPEC §2 error shape ({code, message, detail[, errors]}) and returns the body. */
export function expectApiError(res: Injected, status: number, code: string): { code: string; message: string; detail: string; errors?: Array<{ field: string; message: string }> } {
  const body = res.json();
  expect({ status: res.statusCode, code: body.code }).toEqual({ status, code });
  expect(typeof body.message).toBe('string');
  expect(body.detail).toBe(body.message);
  if (code === 'validation_failed') expect(Array.isArray(body.errors)).toBe(true);
  return body;
}

/** The field names of a validation error. */
export const fieldsOf = (body: { errors?: Array<{ field: string }> }): string[] => (body.errors ?? []).map((e) => e.field);
