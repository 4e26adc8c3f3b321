import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { expectError, rawSql } from '../support/http-assert.ts';

/**
 * A destination its channel's price list does not cover is refused the same way on every product
 * that charges (docs/pricing.md): 422 validation_failed naming the field the price depends on,
 * nothing charged, sent or stored — and, being a validation failure, not remembered by an
 * Idempotency-Key, so the same request runs once a price is set.
 */
describe.each(BACKENDS)('a missing price on %s', (backend) => {
  let h: Harness;
  let a: TestAccount;
  beforeAll(async () => {
    h = await createHarness(backend);
    a = await h.account();
  });
  afterAll(async () => h?.close());

  const post = (url: string, payload: object, headers: Record<string, string> = {}) =>
    h.app.inject({ method: 'POST', url, headers: { ...bearer(a.key), ...headers }, payload });
  const get = async (url: string) => (await h.app.inject({ method: 'GET', url, headers: bearer(a.key) })).json();
  /** Removes a channel's whole price list, its default row included. */
  const unprice = (channel: string) => rawSql(h.database.env, `delete from prices where channel = '${channel}'`);

  /** Asserts the one missing-price answer, and that the account was not charged. */
  async function expectNoPrice(res: Awaited<ReturnType<typeof post>>, product: string, field: string) {
    const body = expectError(res, 422, 'validation_failed');
    expect(body.message).toMatch(new RegExp(`^No ${product} price is set`));
    expect(body.errors).toEqual([{ field, message: expect.stringMatching(new RegExp(`^no ${product} price is set`)) }]);
    expect((await get('/balance')).balance).toBe('100.0000');
  }

  it('SMS (and OTP by SMS): 422 on `to`, no message, no verification, nothing charged; the same Idempotency-Key runs once priced', async () => {
    await unprice('sms');
    await expectNoPrice(await post('/sms/send', { from: 'HELLIO', to: ['+14155552671', '+447911123456'], message: 'hi' }, { 'idempotency-key': 'priced-later' }), 'SMS', 'to');
    await expectNoPrice(await post('/otp/send', { to: '+14155552671' }), 'SMS', 'to');
    expect((await get('/messages')).data).toEqual([]);
    expect((await get('/campaigns')).data).toEqual([]);
    expect(await h.rt.store.otp.pendingFor(a.id, '+14155552671')).toBeUndefined();

    await h.rt.store.prices.set('sms', '', 10_000);
    const res = await post('/sms/send', { from: 'HELLIO', to: ['+14155552671', '+447911123456'], message: 'hi' }, { 'idempotency-key': 'priced-later' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    expect(res.json().total_price).toBe('0.0200');
  });

  it('email (and OTP by email): 422 on `to`, nothing sent or charged', async () => {
    const before = (await get('/balance')).balance;
    await unprice('email');
    const res = await post('/send', { from: 'ann@example.com', to: ['bob@example.org', 'eve@example.org'], subject: 'Hi', text: 'hello' });
    const body = expectError(res, 422, 'validation_failed');
    expect(body.errors).toEqual([{ field: 'to', message: 'no email price is set on this installation' }]);
    expect(body.message).toBe('No email price is set on this installation');
    const otp = expectError(await post('/otp/send', { to: 'bob@example.org', channel: 'email', sender: 'ann@example.com' }), 422, 'validation_failed');
    expect(otp.errors).toEqual([{ field: 'to', message: 'no email price is set on this installation' }]);
    expect((await get('/messages?channel=email')).data).toEqual([]);
    expect((await get('/balance')).balance).toBe(before);
  });

  it('number lookup: 422 on `number`, no lookup stored, nothing charged', async () => {
    const before = (await get('/balance')).balance;
    await unprice('lookup');
    const body = expectError(await post('/lookup', { number: '+447911123456' }), 422, 'validation_failed');
    expect(body.errors).toEqual([{ field: 'number', message: 'no lookup price is set for +447911123456' }]);
    expect((await get('/lookups')).data).toEqual([]);
    expect((await get('/balance')).balance).toBe(before);
  });

  it('email verification: 422 on `email` (no longer a 500), nothing stored or charged', async () => {
    const before = (await get('/balance')).balance;
    await unprice('email_verify');
    const body = expectError(await post('/email/verify', { email: 'not an address' }), 422, 'validation_failed');
    expect(body.errors).toEqual([{ field: 'email', message: 'no email verification price is set on this installation' }]);
    expect((await get('/email/verifications')).data).toEqual([]);
    expect((await get('/balance')).balance).toBe(before);
  });
});
