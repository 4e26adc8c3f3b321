/**
 * Secrets at rest (docs/reliability.md): the columns that hold secrets hold only envelopes, the
 * API still works with the opened values, plaintext from before is sealed at start, a process
 * with another key refuses to start, and `hellio secrets rotate` moves everything to a new key.
 */
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { keyIdOf } from '../../src/lib/sealed-secrets.ts';
import { readKeyFile } from '../../src/lib/secret-key-file.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { openRuntime } from '../../src/main.ts';
import { rotateSecrets, SecretKeyMismatchError } from '../../src/modules/admin/secrets-at-rest.ts';
import { BACKENDS, bearer, createHarness, type Harness } from '../support/harness.ts';
import { rawSql } from '../support/http-assert.ts';
import { person } from '../support/people.ts';

/** Rows read straight from the database, past the store (what a stolen file would show). */
async function rawRows(env: Record<string, string>, query: string): Promise<Array<Record<string, any>>> {
  if (env.DATABASE_URL) {
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    try {
      return (await client.query(query)).rows;
    } finally {
      await client.end();
    }
  }
  const db = new SQLite(join(env.HELLIO_DATA_DIR!, 'hellio.db'), { readonly: true });
  try {
    return db.prepare(query).all() as Array<Record<string, any>>;
  } finally {
    db.close();
  }
}

const ENVELOPE = /^enc:v1:[0-9a-f]{8}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+$/;
const ENV = { HELLIO_WEBHOOKS_ALLOW_PRIVATE: 'true', HELLIO_RATE_LIMIT_PER_MINUTE: '100000' };
const silent = createLogger('silent');

describe.each(BACKENDS)('secrets at rest (%s)', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(backend, { env: ENV });
  });
  afterAll(async () => h?.close());

  const call = (key: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });

  it('stores webhook secrets, DKIM keys, TOTP secrets and the OTP secret only sealed; the store opens them', async () => {
    const a = await h.account();
    const created = await call(a.key, 'POST', '/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['message.delivered'] });
    expect(created.statusCode, created.body).toBe(200);
    const first = created.json().secret as string;
    const rotated = await call(a.key, 'POST', `/webhooks/${created.json().id}/rotate-secret`);
    expect(rotated.statusCode, rotated.body).toBe(200);
    const second = rotated.json().secret as string;
    const [wh] = await rawRows(h.database.env, `select secret, previous_secret from webhook_endpoints where id = '${created.json().id}'`);
    expect(wh!.secret).toMatch(ENVELOPE);
    expect(wh!.previous_secret).toMatch(ENVELOPE);
    expect(JSON.stringify(wh)).not.toContain(first.slice(6));
    expect(JSON.stringify(wh)).not.toContain(second.slice(6));
    const opened = (await h.rt.store.webhooks.endpointById(created.json().id))!;
    expect({ secret: opened.secret, previous: opened.previous_secret }).toEqual({ secret: second, previous: first });

    const domain = await call(a.key, 'POST', '/domains', { domain: `sealed-${randomBytes(3).toString('hex')}.example.org` });
    expect([200, 201], domain.body).toContain(domain.statusCode);
    const [dk] = await rawRows(h.database.env, `select private_key, public_key from domains where id = '${domain.json().id}'`);
    expect(dk!.private_key).toMatch(ENVELOPE);
    expect(dk!.private_key).not.toContain('PRIVATE KEY');
    expect((await h.rt.store.domains.get(a.id, domain.json().id))!.private_key).toMatch(/^-----BEGIN PRIVATE KEY-----/);

    const s = await person(h);
    const setup = await h.app.inject({ method: 'POST', url: '/auth/totp/setup', headers: s.headers() });
    expect(setup.statusCode, setup.body).toBe(200);
    const [u] = await rawRows(h.database.env, `select totp_secret from users where id = '${s.userId}'`);
    expect(u!.totp_secret).toMatch(ENVELOPE);
    expect(u!.totp_secret).not.toContain(setup.json().secret);
    expect((await h.rt.store.users.get(s.userId))!.totp_secret).toBe(setup.json().secret);

    const secrets = await rawRows(h.database.env, 'select name, value from server_secrets order by name');
    expect(secrets.map((r) => r.name)).toEqual(expect.arrayContaining(['otp', 'secret_key_check']));
    for (const r of secrets) expect(r.value, r.name).toMatch(ENVELOPE);
    expect(await h.rt.store.secrets.get('otp')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('seals at start the plaintext left by an earlier version, and reads it in clear meanwhile', async () => {
    const a = await h.account();
    const created = (await call(a.key, 'POST', '/webhooks', { url: 'http://127.0.0.1:9/old', events: ['*'] })).json();
    const plain = `whsec_${randomBytes(24).toString('base64')}`;
    await rawSql(h.database.env, `update webhook_endpoints set secret = '${plain}' where id = '${created.id}'`);
    expect((await h.rt.store.webhooks.endpointById(created.id))!.secret).toBe(plain);

    const second = await openRuntime(h.config, silent);
    try {
      const [row] = await rawRows(h.database.env, `select secret from webhook_endpoints where id = '${created.id}'`);
      expect(row!.secret).toMatch(ENVELOPE);
      expect((await second.store.webhooks.endpointById(created.id))!.secret).toBe(plain);
      expect((await h.rt.store.webhooks.endpointById(created.id))!.secret).toBe(plain);
      expect(await second.store.sealedColumns.count({ table: 'webhook_endpoints', id: 'id', column: 'secret' }, 'plaintext')).toBe(0);
    } finally {
      await second.close();
    }
  });

  it('refuses to start a process whose key cannot open the database\'s secrets', async () => {
    const wrong = loadConfig({ ...h.database.env, ...ENV, HELLIO_SECRET_KEY: randomBytes(32).toString('base64') });
    await expect(openRuntime(wrong, silent)).rejects.toThrow(SecretKeyMismatchError);
  });

  it('rotates: with the old key as previous, `secrets rotate` seals everything under the new key; then the new key alone suffices', async () => {
    const r = await createHarness(backend, { env: ENV });
    try {
      const a = await r.account();
      const hook = (await r.app.inject({ method: 'POST', url: '/webhooks', headers: bearer(a.key), payload: { url: 'http://127.0.0.1:9/r', events: ['*'] } })).json();
      const oldKey = r.config.secretKey ?? readKeyFile(r.config.dataDir)!;
      const newKey = randomBytes(32);
      const both = loadConfig({ ...r.database.env, ...ENV, HELLIO_SECRET_KEY: newKey.toString('base64'), HELLIO_SECRET_KEY_PREVIOUS: oldKey.toString('hex') });
      const rt = await openRuntime(both, silent);
      try {
        const result = await rotateSecrets(rt.ctx, rt.secrets.keyId);
        expect(result).toMatchObject({ key_id: keyIdOf(newKey), remaining: 0 });
        expect(result.resealed).toBeGreaterThanOrEqual(3); // the endpoint's secret, the OTP secret, the key check
        expect((await rotateSecrets(rt.ctx, rt.secrets.keyId)).resealed).toBe(0);
      } finally {
        await rt.close();
      }
      for (const table of [['webhook_endpoints', 'secret'], ['server_secrets', 'value']] as const) {
        for (const row of await rawRows(r.database.env, `select ${table[1]} as v from ${table[0]}`)) expect(row.v.split(':')[2]).toBe(keyIdOf(newKey));
      }
      const only = await openRuntime(loadConfig({ ...r.database.env, ...ENV, HELLIO_SECRET_KEY: newKey.toString('base64') }), silent);
      try {
        expect((await only.store.webhooks.endpointById(hook.id))!.secret).toBe(hook.secret);
      } finally {
        await only.close();
      }
      await expect(openRuntime(loadConfig({ ...r.database.env, ...ENV, HELLIO_SECRET_KEY: oldKey.toString('base64') }), silent)).rejects.toThrow(
        SecretKeyMismatchError,
      );
    } finally {
      await r.rt.close().catch(() => undefined);
      await r.database.drop();
    }
  });

  it.runIf(backend === 'sqlite')('creates the data directory 0700 and the database, its -wal and -shm 0600', async () => {
    const dir = h.config.dataDir;
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of ['hellio.db', 'hellio.db-wal', 'hellio.db-shm', 'secret.key']) expect(statSync(join(dir, f)).mode & 0o777, f).toBe(0o600);
  });
});
