import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/lib/errors.ts';
import {
  addSuppression,
  assertNotSuppressed,
  isSuppressed,
  normaliseRecipient,
  removeSuppression,
  suppressedAmong,
} from '../../src/modules/suppressions/suppressions.ts';
import { BACKENDS, createHarness, type Harness } from '../support/harness.ts';

describe.each(BACKENDS)('suppressions core on %s', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(backend);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('normalises numbers and addresses', () => {
    expect(normaliseRecipient('sms', ' +44 7700 900123 ')).toBe('+447700900123');
    expect(normaliseRecipient('sms', '07700900123')).toBeNull();
    expect(normaliseRecipient('email', 'Ada <Ada@Example.COM>')).toBe('ada@example.com');
    expect(normaliseRecipient('email', 'not an address')).toBeNull();
  });

  it('adds idempotently, keeps the first source, and removes', async () => {
    const a = await h.account();
    const store = h.rt.store;
    const now = h.rt.clock.now();
    const first = await addSuppression(store, { accountId: a.id, channel: 'sms', value: '+447700900123', source: 'stop', reason: 'STOP' }, now);
    expect(first.created).toBe(true);
    expect(first.suppression.id).toMatch(/^sup_/);
    const again = await addSuppression(store, { accountId: a.id, channel: 'sms', value: '+44 7700 900123', source: 'manual' }, now);
    expect(again.created).toBe(false);
    expect(again.suppression.id).toBe(first.suppression.id);
    expect(again.suppression.source).toBe('stop');
    expect(await isSuppressed(store, a.id, 'sms', '+447700900123')).toBe(true);
    // Per channel and per account.
    expect(await isSuppressed(store, a.id, 'email', '+447700900123')).toBe(false);
    const b = await h.account();
    expect(await isSuppressed(store, b.id, 'sms', '+447700900123')).toBe(false);

    const removed = await removeSuppression(store, a.id, 'sms', '+447700900123');
    expect(removed?.id).toBe(first.suppression.id);
    expect(await isSuppressed(store, a.id, 'sms', '+447700900123')).toBe(false);
    expect(await removeSuppression(store, a.id, 'sms', '+447700900123')).toBeNull();
  });

  it('refuses a value that is not a recipient', async () => {
    const a = await h.account();
    await expect(addSuppression(h.rt.store, { accountId: a.id, channel: 'email', value: 'nobody', source: 'manual' }, h.rt.clock.now())).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('answers in batch, as the values were written, inside a transaction', async () => {
    const a = await h.account();
    const now = h.rt.clock.now();
    const found = await h.rt.store.transaction(async (tx) => {
      await addSuppression(tx, { accountId: a.id, channel: 'email', value: 'Bounce@Example.com', source: 'bounce', reason: '5.1.1' }, now);
      await addSuppression(tx, { accountId: a.id, channel: 'email', value: 'angry@example.com', source: 'complaint' }, now);
      return suppressedAmong(tx, a.id, 'email', ['bounce@example.com', 'BOUNCE@example.com', 'fine@example.com', 'Angry@Example.com', 'junk']);
    });
    expect([...found].sort()).toEqual(['Angry@Example.com', 'BOUNCE@example.com', 'bounce@example.com']);
    // A rolled-back add leaves nothing.
    await expect(
      h.rt.store.transaction(async (tx) => {
        await addSuppression(tx, { accountId: a.id, channel: 'email', value: 'rolled@example.com', source: 'manual' }, now);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await isSuppressed(h.rt.store, a.id, 'email', 'rolled@example.com')).toBe(false);

    const err = await assertNotSuppressed(h.rt.store, a.id, 'email', ['fine@example.com', 'bounce@example.com']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('recipient_suppressed');
    await expect(assertNotSuppressed(h.rt.store, a.id, 'email', ['fine@example.com'])).resolves.toBeUndefined();
    expect((await suppressedAmong(h.rt.store, a.id, 'email', [])).size).toBe(0);
  });
});
