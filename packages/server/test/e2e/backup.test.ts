/**
 * `hellio backup` and `hellio restore` (docs/reliability.md): a backup taken while a server runs
 * and writes is consistent, restores into a fresh data directory with everything in it (accounts,
 * messages, wallets that match their ledgers) and its secrets still open with the same key file.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { keyIdOf, parseSecretKey } from '../../src/lib/sealed-secrets.ts';
import { openRuntime } from '../../src/main.ts';
import { hellio, type RunningServer, startServer } from '../support/cli.ts';
import { throwawayDatabase } from '../support/harness.ts';

const STEP = 120_000;

function json(r: { code: number | null; stdout: string; stderr: string }): any {
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

function failure(r: { code: number | null; stdout: string; stderr: string }): { code: string; message: string } {
  expect(r.code).not.toBe(0);
  return JSON.parse(r.stderr.trim().split('\n').pop()!);
}

describe('hellio backup and restore on SQLite, beside a running server', () => {
  let dir = '';
  let server: RunningServer | undefined;
  const env = () => ({ HELLIO_DATA_DIR: join(dir, 'data'), HELLIO_WEBHOOKS_ALLOW_PRIVATE: 'true', HELLIO_RATE_LIMIT_PER_MINUTE: '1000000' });
  const cli = (...args: string[]) => hellio(['--json', ...args], env());

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hellio-backup-'));
    server = await startServer(env());
  }, STEP);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, STEP);

  it('backs up while the server writes; restores into a fresh data directory with data, ledgers and secrets intact', { timeout: STEP }, async () => {
    const account = json(await cli('accounts', 'create', '--name', 'Backup Ltd')).id as string;
    const key = json(await cli('keys', 'create', '--account', account, '--scopes', 'sms:send,webhooks,balance')).key as string;
    json(await cli('wallet', 'topup', '--account', account, '--amount', '50.00'));
    json(await cli('senders', 'approve', '--account', account, '--sender', 'HELLIO'));
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${server!.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    const hook = (await (await api('POST', '/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['message.delivered'] })).json()) as { id: string; secret: string };
    expect(hook.secret).toMatch(/^whsec_/);

    // Messages keep being sent during the backup: it must be a consistent cut of them.
    let sending = true;
    let acknowledged = 0;
    const load = (async () => {
      while (sending) {
        const res = await api('POST', '/sms/send', { from: 'HELLIO', to: '+14155552671', message: `during the backup ${acknowledged}` });
        expect(res.status).toBe(200);
        acknowledged++;
      }
    })();
    while (acknowledged < 20) await new Promise((r) => setTimeout(r, 20));
    const before = acknowledged;
    const backup = join(dir, 'hellio-backup.db');
    const out = json(await cli('backup', '--to', backup));
    const after = acknowledged;
    sending = false;
    await load;
    expect(out).toEqual({ backup });
    expect(statSync(backup).mode & 0o777).toBe(0o600);

    // The copy on its own: a SQLite file whose every wallet equals the sum of its ledger.
    const raw = new SQLite(backup, { readonly: true });
    let n = 0;
    let ledger = 0;
    try {
      n = (raw.prepare('select count(*) as n from messages where account_id = ?').get(account) as { n: number }).n;
      expect(n).toBeGreaterThanOrEqual(before);
      expect(n).toBeLessThanOrEqual(after + 1);
      const wallets = raw
        .prepare('select a.id, a.balance_micros as balance, coalesce(sum(l.amount_micros), 0) as ledger from accounts a left join ledger l on l.account_id = a.id group by a.id')
        .all() as Array<{ balance: number; ledger: number }>;
      for (const w of wallets) expect(w.balance).toBe(w.ledger);
      ledger = (raw.prepare('select sum(amount_micros) as s from ledger where account_id = ?').get(account) as { s: number }).s;
      expect(ledger).toBeLessThan(50_000_000); // the messages were charged
      expect((raw.prepare('select secret from webhook_endpoints where id = ?').get(hook.id) as { secret: string }).secret).toMatch(/^enc:v1:/);
    } finally {
      raw.close();
    }

    // Restore refuses while the server holds the database.
    const busy = failure(await cli('restore', '--from', backup));
    expect(busy.code).toBe('conflict');
    expect(busy.message).toMatch(/another process has .* open/);

    // Into a fresh data directory without the key: refused (a start would make a new key that opens nothing).
    const fresh = join(dir, 'fresh');
    const keyless = failure(await hellio(['--json', 'restore', '--from', backup], { HELLIO_DATA_DIR: fresh }));
    expect(keyless.code).toBe('conflict');
    expect(keyless.message).toMatch(/no key yet/);
    expect(existsSync(join(fresh, 'hellio.db'))).toBe(false);
    // With the installation's key file beside it: checked, and the database private.
    mkdirSync(fresh, { recursive: true, mode: 0o700 });
    copyFileSync(join(dir, 'data', 'secret.key'), join(fresh, 'secret.key'));
    const restored = json(await hellio(['--json', 'restore', '--from', backup], { HELLIO_DATA_DIR: fresh }));
    expect(restored).toMatchObject({ database: join(fresh, 'hellio.db'), kept_aside: null, secrets: 'readable' });
    expect(statSync(join(fresh, 'hellio.db')).mode & 0o777).toBe(0o600);
    expect(statSync(fresh).mode & 0o777).toBe(0o700);
    // Again: the first restore is kept aside.
    const again = json(await hellio(['--json', 'restore', '--from', backup], { HELLIO_DATA_DIR: fresh }));
    expect(again.secrets).toBe('readable');
    expect(again.kept_aside).toMatch(/hellio\.db\.before-restore-/);

    const rt = await openRuntime(loadConfig({ HELLIO_DATA_DIR: fresh }), createLogger('silent'));
    try {
      expect((await rt.store.accounts.get(account))?.name).toBe('Backup Ltd');
      expect((await rt.store.webhooks.endpointById(hook.id))!.secret).toBe(hook.secret);
      expect(await rt.store.wallet.balance(account)).toBe(ledger);
    } finally {
      await rt.close();
    }
    const copy = new SQLite(join(fresh, 'hellio.db'), { readonly: true });
    try {
      expect((copy.prepare('select count(*) as n from messages where account_id = ?').get(account) as { n: number }).n).toBe(n);
    } finally {
      copy.close();
    }
  });

  it('refuses a file that is not a Hellio database, and a backup onto the live database', { timeout: STEP }, async () => {
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'not a database at all, not even close'.repeat(100));
    expect(failure(await cli('restore', '--from', junk))).toMatchObject({ code: 'validation_failed' });
    const empty = join(dir, 'empty.db');
    new SQLite(empty).exec('create table t (x)');
    expect(failure(await cli('restore', '--from', empty)).message).toMatch(/not a Hellio database/);
    expect(failure(await cli('restore', '--from', join(dir, 'missing.db'))).message).toMatch(/does not exist/);
    expect(failure(await cli('backup', '--to', join(dir, 'data', 'hellio.db'))).message).toMatch(/is the live database/);
  });

  it('restores a backup sealed under another key only once that key is in place', { timeout: STEP }, async () => {
    const backup = join(dir, 'second.db');
    json(await cli('backup', '--to', backup));
    const other = join(dir, 'other');
    // Another installation, with its own key file.
    json(await hellio(['--json', 'accounts', 'list'], { HELLIO_DATA_DIR: other }));
    const refused = failure(await hellio(['--json', 'restore', '--from', backup], { HELLIO_DATA_DIR: other }));
    expect(refused.message).toMatch(/sealed under another key/);
  });

  it('secrets rotate moves every secret to HELLIO_SECRET_KEY; then the old key alone is refused', { timeout: STEP }, async () => {
    await server?.stop(); // a rotation restarts every process with both keys; this one is simply stopped
    const oldKey = readFileSync(join(dir, 'data', 'secret.key'), 'utf8').trim();
    const newKey = randomBytes(32).toString('base64');
    const rotated = json(await hellio(['--json', 'secrets', 'rotate'], { ...env(), HELLIO_SECRET_KEY: newKey, HELLIO_SECRET_KEY_PREVIOUS: oldKey }));
    expect(rotated).toMatchObject({ key_id: keyIdOf(parseSecretKey(newKey)!), remaining: 0 });
    expect(rotated.resealed).toBeGreaterThanOrEqual(3);
    expect(json(await hellio(['--json', 'secrets', 'rotate'], { ...env(), HELLIO_SECRET_KEY: newKey })).resealed).toBe(0);
    expect(failure(await cli('accounts', 'list'))).toMatchObject({ code: 'secret_key_mismatch' });
  });
});

describe('hellio backup and restore on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof throwawayDatabase>>;
  beforeAll(async () => {
    db = await throwawayDatabase('postgres');
  });
  afterAll(async () => db?.drop());

  it('points at pg_dump and pg_restore', { timeout: STEP }, async () => {
    const backup = failure(await hellio(['--json', 'backup', '--to', join(tmpdir(), 'never.db')], db.env));
    expect(backup.code).toBe('conflict');
    expect(backup.message).toMatch(/pg_dump/);
    const restore = failure(await hellio(['--json', 'restore', '--from', join(tmpdir(), 'never.db')], db.env));
    expect(restore.code).toBe('conflict');
    expect(restore.message).toMatch(/pg_restore/);
  });
});
