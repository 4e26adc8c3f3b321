// The database's own ceiling for "one durable transaction per request", with no HTTP and no
// Hellio: what an accept path that commits each request on its own could reach at best.
// bench/accept/run.mjs runs it as a child; it prints one JSON object on stdout.
//
//   CEILING_BACKEND=postgres CEILING_PG_URL=postgres://… node bench/accept/ceiling.mjs
//   CEILING_BACKEND=sqlite CEILING_DIR=/tmp/x node bench/accept/ceiling.mjs
//   CEILING_DURATION_S (10), CEILING_SHORT_S (5: the context variants), CEILING_CONNECTIONS (16),
//   CEILING_ACCOUNTS (50)
//
// A "request" is a debit of one account's balance guarded by the balance (the wallet check) and
// the insert of one message row — the two writes every accepted SMS needs at the least.
//
// PostgreSQL (fsync and synchronous_commit as the server has them; run.mjs records them), with
// CEILING_CONNECTIONS clients each looping as fast as it can, prepared statements:
//   tx         BEGIN; UPDATE … RETURNING; INSERT; COMMIT — four round trips (target 4's ceiling);
//   cte        the same writes as one statement, `WITH d AS (UPDATE …) INSERT … SELECT FROM d`,
//              auto-committed — one round trip;
//   tx_one_wallet  `tx` with every client on the same account (the wallet row's lock).
// Accounts are spread so that two clients never share one, except in tx_one_wallet.
// SQLite (WAL, synchronous=FULL, as Hellio opens it), one connection, synchronous:
//   tx         one transaction (debit + insert) per request, each commit fsync'd;
//   batch_100  100 debits + inserts per transaction (what group commit can buy), in rows/s.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';

const backend = process.env.CEILING_BACKEND ?? 'sqlite';
const durationS = Number(process.env.CEILING_DURATION_S ?? 10);
const shortS = Number(process.env.CEILING_SHORT_S ?? 5);
const connections = Number(process.env.CEILING_CONNECTIONS ?? 16);
const nAccounts = Number(process.env.CEILING_ACCOUNTS ?? 50);
const PRICE = 7_500; // micros, about an SMS
const BALANCE = 1e14;
const TO = '+14155552671';
const TEXT = 'Your code is 123456';

const rate = (n, ms) => Math.round((n * 1000) / ms);

async function postgres() {
  const { default: pg } = await import('pg');
  const url = process.env.CEILING_PG_URL;
  if (!url) throw new Error('CEILING_PG_URL is required');
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`
    create table accounts (id text primary key, balance_micros bigint not null);
    create table messages (
      id text primary key, account_id text not null references accounts(id), recipient text not null,
      body text not null, price_micros bigint not null, status text not null, created_at bigint not null);
    create index messages_account on messages (account_id, id);`);
  for (let i = 0; i < nAccounts; i++) await admin.query('insert into accounts values ($1, $2)', [`acc_${i}`, BALANCE]);
  const settings = {};
  for (const s of ['fsync', 'synchronous_commit', 'wal_sync_method', 'server_version']) settings[s] = (await admin.query(`show ${s}`)).rows[0][s];

  const clients = [];
  for (let i = 0; i < connections; i++) {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    clients.push(c);
  }
  const debit = { name: 'debit', text: 'update accounts set balance_micros = balance_micros - $2 where id = $1 and balance_micros >= $2 returning balance_micros' };
  const insert = { name: 'insert', text: 'insert into messages (id, account_id, recipient, body, price_micros, status, created_at) values ($1, $2, $3, $4, $5, $6, $7)' };
  const cte = {
    name: 'cte',
    text: `with d as (update accounts set balance_micros = balance_micros - $2 where id = $1 and balance_micros >= $2 returning id)
           insert into messages (id, account_id, recipient, body, price_micros, status, created_at)
           select $3, d.id, $4, $5, $2, $6, $7 from d`,
  };

  async function run(variant, seconds, accountOf) {
    const until = performance.now() + seconds * 1000;
    const start = performance.now();
    let done = 0;
    await Promise.all(
      clients.map(async (c, i) => {
        const account = accountOf(i);
        while (performance.now() < until) {
          if (variant === 'cte') {
            const r = await c.query({ ...cte, values: [account, PRICE, randomUUID(), TO, TEXT, 'queued', Date.now()] });
            if (r.rowCount !== 1) throw new Error('cte inserted nothing');
          } else {
            await c.query('begin');
            const r = await c.query({ ...debit, values: [account, PRICE] });
            if (r.rowCount !== 1) throw new Error('debit failed');
            await c.query({ ...insert, values: [randomUUID(), account, TO, TEXT, PRICE, 'queued', Date.now()] });
            await c.query('commit');
          }
          done++;
        }
      }),
    );
    return { per_second: rate(done, performance.now() - start), requests: done, duration_s: seconds };
  }

  const spread = (i) => `acc_${i % nAccounts}`;
  await run('tx', 1, spread); // warm-up: connections, plans, caches
  const result = {
    backend: 'postgres',
    connections,
    accounts: nAccounts,
    settings,
    tx: await run('tx', durationS, spread),
    cte: await run('cte', durationS, spread),
    tx_one_wallet: await run('tx', shortS, () => 'acc_0'),
  };
  const { rows } = await admin.query('select count(*)::int as n from messages');
  result.rows_written = rows[0].n;
  for (const c of clients) await c.end();
  await admin.end();
  return result;
}

async function sqlite() {
  const { default: Database } = await import('better-sqlite3');
  const dir = process.env.CEILING_DIR;
  if (!dir) throw new Error('CEILING_DIR is required');
  const db = new Database(join(dir, 'ceiling.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`
    create table accounts (id text primary key, balance_micros integer not null);
    create table messages (
      id text primary key, account_id text not null references accounts(id), recipient text not null,
      body text not null, price_micros integer not null, status text not null, created_at integer not null);
    create index messages_account on messages (account_id, id);`);
  const add = db.prepare('insert into accounts values (?, ?)');
  for (let i = 0; i < nAccounts; i++) add.run(`acc_${i}`, BALANCE);
  const debit = db.prepare('update accounts set balance_micros = balance_micros - ? where id = ? and balance_micros >= ? returning balance_micros');
  const insert = db.prepare('insert into messages (id, account_id, recipient, body, price_micros, status, created_at) values (?, ?, ?, ?, ?, ?, ?)');
  const one = (k) => {
    const account = `acc_${k % nAccounts}`;
    if (!debit.get(PRICE, account, PRICE)) throw new Error('debit failed');
    insert.run(randomUUID(), account, TO, TEXT, PRICE, 'queued', Date.now());
  };
  const perRequest = db.transaction(one);
  const batch = db.transaction((k) => {
    for (let j = 0; j < 100; j++) one(k + j);
  });
  function run(seconds, step, size) {
    const start = performance.now();
    const until = start + seconds * 1000;
    let rows = 0;
    while (performance.now() < until) {
      step(rows);
      rows += size;
    }
    return { rows, duration_s: seconds, rows_per_second: rate(rows, performance.now() - start) };
  }
  run(1, perRequest, 1); // warm-up
  const tx = run(durationS, perRequest, 1);
  const batch100 = run(shortS, batch, 100);
  const settings = { journal_mode: db.pragma('journal_mode', { simple: true }), synchronous: db.pragma('synchronous', { simple: true }) };
  db.close();
  return {
    backend: 'sqlite',
    settings,
    tx: { per_second: tx.rows_per_second, requests: tx.rows, duration_s: tx.duration_s },
    batch_100: batch100,
  };
}

const result = backend === 'postgres' ? await postgres() : await sqlite();
process.stdout.write(`${JSON.stringify(result)}\n`);
