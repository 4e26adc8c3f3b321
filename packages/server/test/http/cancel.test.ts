import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveryHandlers } from '../../src/workers/deliver.ts';
import { BACKENDS, bearer, createHarness, type Harness } from '../support/harness.ts';

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

describe.each(BACKENDS)('POST /messages/{id}/cancel on %s', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(backend);
  });
  afterAll(async () => h?.close());

  const sms = (key: string, body: object) => h.app.inject({ method: 'POST', url: '/sms/send', headers: bearer(key), payload: body });
  const cancel = (key: string, id: string) => h.app.inject({ method: 'POST', url: `/messages/${id}/cancel`, headers: bearer(key) });
  const balance = async (key: string) => (await h.app.inject({ method: 'GET', url: '/balance', headers: bearer(key) })).json().balance;

  it('cancels a scheduled SMS, refunds it with a ledger row, and its job then does nothing', async () => {
    const a = await h.account({ balance: '1.00' });
    const res = await sms(a.key, { from: 'HELLIO', to: '+447911123456', message: 'later', scheduled_at: inAnHour() });
    const id = res.json().messages[0].id;
    expect(await balance(a.key)).toBe('0.9600'); // UK 0.0400 per segment
    const c = await cancel(a.key, id);
    expect(c.statusCode).toBe(200);
    expect(c.json()).toMatchObject({ id, status: 'canceled' });
    expect(c.json().events.map((e: { status: string }) => e.status)).toEqual(['scheduled', 'canceled']);
    expect(await balance(a.key)).toBe('1.0000');
    const ledger = await h.rt.store.wallet.ledger(a.id);
    expect(ledger.filter((l) => l.kind === 'refund')).toEqual([expect.objectContaining({ amount_micros: 40_000, reference: id })]);
    expect(await h.rt.store.wallet.ledgerSum(a.id)).toBe(1_000_000);

    // Twice: the second is a conflict, and nothing is refunded again.
    expect((await cancel(a.key, id)).json().code).toBe('conflict');
    expect(await balance(a.key)).toBe('1.0000');

    // When the job comes due, its handler finds the message canceled and sends nothing.
    const deliver = deliveryHandlers({ store: h.rt.store, channels: h.rt.channels, clock: h.rt.clock })['deliver.sms'];
    await deliver.handle({ message_id: id }, { attempt: 1, jobId: 'job_test', maxAttempts: 30, claim: { id: 'job_test', lockedBy: 'test', attempts: 1 } });
    expect(await h.rt.store.delivery.inbox({ recipient: '+447911123456', limit: 10 })).toEqual([]);
    const after = await h.app.inject({ method: 'GET', url: `/messages/${id}`, headers: bearer(a.key) });
    expect(after.json().status).toBe('canceled');
  });

  it('answers 409 conflict for a message that is not scheduled', async () => {
    const a = await h.account();
    const id = (await sms(a.key, { from: 'HELLIO', to: '+447911123456', message: 'now' })).json().messages[0].id;
    const c = await cancel(a.key, id);
    expect(c.statusCode).toBe(409);
    expect(c.json()).toMatchObject({ code: 'conflict' });
  });

  it("answers 404 for another account's message, exactly as for a missing one", async () => {
    const a = await h.account();
    const b = await h.account();
    const id = (await sms(a.key, { from: 'HELLIO', to: '+447911123456', message: 'x', scheduled_at: inAnHour() })).json().messages[0].id;
    const foreign = await cancel(b.key, id);
    const missing = await cancel(b.key, 'msg_01m84m8awxbkhwp3m80e0v33my');
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toEqual(missing.json());
    const still = await h.app.inject({ method: 'GET', url: `/messages/${id}`, headers: bearer(a.key) });
    expect(still.json().status).toBe('scheduled');
  });

  it('needs the send scope of the message channel', async () => {
    const a = await h.account();
    const id = (await sms(a.key, { from: 'HELLIO', to: '+447911123456', message: 'x', scheduled_at: inAnHour() })).json().messages[0].id;
    const reportsOnly = await h.key(a.id, { scopes: 'reports' });
    const r1 = await cancel(reportsOnly.key, id);
    expect(r1.statusCode).toBe(403);
    expect(r1.json().code).toBe('insufficient_scope');
    const emailOnly = await h.key(a.id, { scopes: 'email:send' });
    const r2 = await cancel(emailOnly.key, id);
    expect(r2.statusCode).toBe(403);
    expect(r2.json().message).toContain('sms:send');
    expect((await cancel(a.key, id)).statusCode).toBe(200);
  });

  it('never refunds a sandbox message (it was never charged)', async () => {
    const a = await h.account({ test: true });
    const id = (await sms(a.key, { from: 'HELLIO', to: '+447911123456', message: 'x', scheduled_at: inAnHour() })).json().messages[0].id;
    expect((await cancel(a.key, id)).statusCode).toBe(200);
    expect((await h.rt.store.wallet.ledger(a.id)).filter((l) => l.kind === 'refund')).toEqual([]);
  });
});
