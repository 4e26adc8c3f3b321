import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openDb } from '../../src/store/db.ts';
import { hellio } from '../support/cli.ts';
import { BACKENDS, bearer, createHarness, type Harness } from '../support/harness.ts';
import { expectError, rawSql } from '../support/http-assert.ts';
import { until } from '../support/wait.ts';

/**
 * Keys, senders and prices are cached in each process (store/read-cache.ts); the cache must never
 * answer with something changed since. Changes are made here the ways an operator or another
 * process makes them — the CLI in another process, raw SQL on another connection — and the very
 * next request on each of two app instances (two processes, in effect) must see them.
 */
describe.each(BACKENDS)('the read cache on %s', (backend) => {
  let h: Harness;
  let other: Harness;
  let db: Db;

  beforeAll(async () => {
    h = await createHarness(backend, { env: { HELLIO_RATE_LIMIT_PER_MINUTE: '100000' } });
    other = await createHarness(backend, { database: h.database, env: { HELLIO_RATE_LIMIT_PER_MINUTE: '100000' } });
    db = openDb(h.config);
  });
  afterAll(async () => {
    await db?.db.destroy();
    await other?.close();
    await h?.close();
  });

  const apps = () => [h.app, other.app];
  const sms = (app: Harness['app'], key: string, to = '+14155552671', from = 'HELLIO') =>
    app.inject({ method: 'POST', url: '/sms/send', headers: bearer(key), payload: { from, to, message: 'cached?' } });
  const epoch = async () => Number((await db.db.selectFrom('cache_epoch').select('version').executeTakeFirstOrThrow()).version);

  it('refuses a key revoked by raw SQL from another connection on the next request, everywhere', async () => {
    const a = await h.account();
    for (const app of apps()) expect((await sms(app, a.key)).statusCode).toBe(200);
    await rawSql(h.database.env, `update api_keys set revoked_at = ${Date.now()} where id = '${a.keyId}'`);
    for (const app of apps()) expectError(await sms(app, a.key), 401, 'invalid_credentials');
  });

  it('sees a suspension, a scope change and an allowlist entry at once', async () => {
    const a = await h.account();
    for (const app of apps()) expect((await sms(app, a.key)).statusCode).toBe(200);
    await rawSql(h.database.env, `update api_keys set scopes = 'reports' where id = '${a.keyId}'`);
    for (const app of apps()) expectError(await sms(app, a.key), 403, 'insufficient_scope');
    await rawSql(h.database.env, `update api_keys set scopes = 'sms:send' where id = '${a.keyId}'`);
    await rawSql(h.database.env, `update accounts set ip_allowlist = '["203.0.113.7"]' where id = '${a.id}'`);
    for (const app of apps()) expectError(await sms(app, a.key), 403, 'ip_not_allowed');
    await rawSql(h.database.env, `update accounts set ip_allowlist = '[]', status = 'suspended' where id = '${a.id}'`);
    for (const app of apps()) expectError(await sms(app, a.key), 403, 'account_not_active');
  });

  it('sees a sender revoked and a price changed through the CLI (another process) on the next request', async () => {
    const a = await h.account();
    for (const app of apps()) expect((await sms(app, a.key, '+33612345678')).json().total_price).not.toBe('0.1234');
    const price = await hellio(['prices', 'set', '--channel', 'sms', '--prefix', '336', '--price', '0.1234', '--json'], h.database.env);
    expect(price.code, price.stderr).toBe(0);
    for (const app of apps()) expect((await sms(app, a.key, '+33612345678')).json().total_price).toBe('0.1234');
    const revoked = await hellio(['senders', 'revoke', '--account', a.id, '--sender', 'HELLIO', '--json'], h.database.env);
    expect(revoked.code, revoked.stderr).toBe(0);
    for (const app of apps()) expectError(await sms(app, a.key), 422, 'sender_not_approved');
    const approved = await hellio(['senders', 'approve', '--account', a.id, '--sender', 'HELLIO', '--json'], h.database.env);
    expect(approved.code, approved.stderr).toBe(0);
    for (const app of apps()) expect((await sms(app, a.key)).statusCode).toBe(200);
  });

  it('is not flushed by what every request writes: charges and last_used_at', async () => {
    const a = await h.account();
    const fresh = await h.key(a.id, { scopes: 'sms:send' });
    const before = await epoch();
    for (let i = 0; i < 5; i++) expect((await sms(h.app, fresh.key)).statusCode).toBe(200);
    // The key's first use is recorded (written in the background)…
    await until('last_used_at', async () => (await h.rt.store.keys.get(fresh.id))?.last_used_at ?? false);
    // …and neither that nor the five charges moved the epoch.
    expect(await epoch()).toBe(before);
    // …while a change the cache depends on moves it.
    await h.rt.store.accounts.update(a.id, { rate_limit_per_minute: 5000 });
    expect(await epoch()).toBeGreaterThan(before);
  });
});
