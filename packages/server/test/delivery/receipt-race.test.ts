import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beginSending, markSent } from '../../src/modules/messages/lifecycle.ts';
import { applyReceipt, reconcileReceipts } from '../../src/modules/messages/receipts.ts';
import { BACKENDS, bearer, createHarness, type Harness } from '../support/harness.ts';

/**
 * A network may report a message before the worker has committed the id it gave for it. Such a
 * receipt is kept and applied when the id arrives, never acknowledged and lost.
 */
describe.each(BACKENDS)('receipts that beat the commit of their id on %s', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(backend);
  });
  afterAll(async () => h?.close());

  async function sending(): Promise<{ id: string; key: string }> {
    const a = await h.account();
    const res = await h.app.inject({ method: 'POST', url: '/sms/send', headers: bearer(a.key), payload: { from: 'HELLIO', to: '+447911123456', message: 'hi' } });
    const id = res.json().messages[0].id as string;
    expect(await beginSending(h.rt.store, id, Date.now())).not.toBeNull();
    return { id, key: a.key };
  }
  const statusOf = async (key: string, id: string) => (await h.app.inject({ method: 'GET', url: `/messages/${id}`, headers: bearer(key) })).json();

  it('a receipt before markSent is applied by markSent', async () => {
    const { id, key } = await sending();
    await applyReceipt(h.rt.store, 'smpp', { providerMessageId: `early-${id}`, status: 'delivered', detail: 'DELIVRD' }, Date.now());
    expect((await statusOf(key, id)).status).toBe('sending');
    await markSent(h.rt.store, id, 'smpp', [`early-${id}`], Date.now());
    const m = await statusOf(key, id);
    expect(m.status).toBe('delivered');
    expect(m.events.map((e: { status: string }) => e.status)).toEqual(['queued', 'sending', 'sent', 'delivered']);
    expect(await h.rt.store.delivery.pendingReceiptsFor('smpp', [`early-${id}`])).toEqual([]);
  });

  it('an early failure receipt fails the message once and refunds it once', async () => {
    const { id, key } = await sending();
    await applyReceipt(h.rt.store, 'smpp', { providerMessageId: `f-${id}`, status: 'failed', detail: 'EXPIRED' }, Date.now());
    await applyReceipt(h.rt.store, 'smpp', { providerMessageId: `f-${id}`, status: 'failed', detail: 'EXPIRED' }, Date.now());
    await markSent(h.rt.store, id, 'smpp', [`f-${id}`], Date.now());
    expect((await statusOf(key, id)).status).toBe('failed');
    const a = (await h.rt.store.delivery.getMessage(id))!;
    const refunds = (await h.rt.store.wallet.ledger(a.account_id)).filter((l) => l.kind === 'refund');
    expect(refunds).toHaveLength(1);
  });

  it('reconcileReceipts applies a kept receipt whose id was stored without seeing it (the PostgreSQL race)', async () => {
    const { id, key } = await sending();
    await applyReceipt(h.rt.store, 'smpp', { providerMessageId: `race-${id}`, status: 'delivered', detail: 'DELIVRD' }, Date.now());
    // What a concurrent markSent that did not see the pending row leaves behind: sent, id stored.
    await h.rt.store.transaction(async (tx) => {
      await tx.delivery.transition(id, ['sending'], 'sent', Date.now(), { provider: 'smpp' });
      await tx.delivery.addRefs([{ provider: 'smpp', provider_message_id: `race-${id}`, message_id: id, part: 1, status: null, created_at: Date.now() }]);
    });
    expect((await statusOf(key, id)).status).toBe('sent');
    expect(await reconcileReceipts(h.rt.store, Date.now())).toBeGreaterThanOrEqual(1);
    expect((await statusOf(key, id)).status).toBe('delivered');
    expect(await reconcileReceipts(h.rt.store, Date.now())).toBe(0);
  });

  it('drops kept receipts for ids that never arrive after a week', async () => {
    await applyReceipt(h.rt.store, 'smpp', { providerMessageId: 'never-stored', status: 'delivered', detail: 'DELIVRD' }, Date.now() - 8 * 24 * 3_600_000);
    expect(await h.rt.store.delivery.pendingReceiptsFor('smpp', ['never-stored'])).toHaveLength(1);
    await reconcileReceipts(h.rt.store, Date.now());
    expect(await h.rt.store.delivery.pendingReceiptsFor('smpp', ['never-stored'])).toEqual([]);
  });
});
