// Helpers the bench scripts share.
import { createServer } from 'node:net';

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort() {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

/** Resolves once `url` answers 2xx (a child server is up); throws after ~`tries` × 100 ms. */
export async function waitFor(url, tries = 300) {
  for (let i = 0; i < tries; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered`);
}

/**
 * A throwaway database for one bench run: a temp directory (SQLite), or a fresh PostgreSQL
 * database on BENCH_PG_URL. `dir` is a scratch directory either way (logs, profiles).
 */
export async function throwawayDatabase(backend, tag) {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), `hellio-bench-${tag}-`));
  if (backend === 'sqlite') return { env: { HELLIO_DATA_DIR: dir }, dir, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  const { default: pg } = await import('pg');
  const admin = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `hellio_bench_${tag}_${Date.now()}`;
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`create database ${name}`);
  await c.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    env: { DATABASE_URL: url.toString() },
    dir,
    url: url.toString(),
    drop: async () => {
      rmSync(dir, { recursive: true, force: true });
      const d = new pg.Client({ connectionString: admin });
      await d.connect();
      await d.query(`drop database if exists ${name} with (force)`);
      await d.end();
    },
  };
}

/** An account with a key of these scopes, a large balance and the HELLIO sender, made with the CLI. */
export async function benchAccount(hellioBin, env, scopes, senders = ['HELLIO']) {
  const { execFileSync } = await import('node:child_process');
  const cli = (...args) => JSON.parse(execFileSync(process.execPath, [hellioBin, ...args, '--json'], { env }).toString());
  const account = cli('accounts', 'create', '--name', 'bench').id;
  const { key } = cli('keys', 'create', '--account', account, '--scopes', scopes);
  cli('wallet', 'topup', '--account', account, '--amount', '100000000');
  for (const s of senders) cli('senders', 'approve', '--account', account, '--sender', s);
  return { account, key };
}

/** The machine, for the results file. */
export async function machine() {
  const { cpus, totalmem } = await import('node:os');
  return { cpus: cpus().length, cpu_model: cpus()[0]?.model, memory_gib: Math.round(totalmem() / 2 ** 30), node: process.version };
}
