import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveSender } from '../../src/modules/messages/senders.ts';
import { expectApiError, fieldsOf, openPeek, type Peek, snapshotOf } from '../support/accept-peek.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';

// The request body of the seed document's example (seeds/000_5417a2fde555eb0d.txt), byte for byte.
const SEED_BODY = `{
    "from": "contact@helioseditor.com",
    "to": ["recipient@example.com"],
    "subject": "Test Email",
    "html": "<p>This is a test email.</p>"
  }`;
// The example key printed in the seed document: well-formed, but no such key exists here.
const SEED_EXAMPLE_KEY = 'cs_ig-DHv_6PltD7JnxQQEZ4DUzSpG5U87QJPiVIyDWw4DGkZUuSd0y3C4aI7BS06qO';

// Default email rate (store/default-prices.ts): 0.0010 per recipient = 1,000 micro-units.
const RATE = 1_000;

const addrs = (n: number, domain = 'example.org') => Array.from({ length: n }, (_, i) => `user${i}@${domain}`);

describe.each(BACKENDS)('POST /send (email) on %s', (backend) => {
  let h: Harness;
  let peek: Peek;
  beforeAll(async () => {
    h = await createHarness(backend);
    peek = openPeek(h);
  });
  afterAll(async () => {
    await peek?.close();
    await h?.close();
  });

  const send = (key: string, payload: unknown) =>
    h.app.inject({ method: 'POST', url: '/send', headers: bearer(key), payload: payload as object });
  const getMessage = (key: string, id: string) => h.app.inject({ method: 'GET', url: `/messages/${id}`, headers: bearer(key) });
  const base = { from: 'news@example.com', to: 'someone@example.org', subject: 'Hello', html: '<p>Hi</p>' };

  async function expectRefusedWithoutWrites(a: TestAccount, payload: unknown, status: number, code: string) {
    const before = await snapshotOf(h, peek, a.id);
    const res = await send(a.key, payload);
    const body = expectApiError(res, status, code);
    expect(await snapshotOf(h, peek, a.id)).toEqual(before);
    return body;
  }

  describe('the seed document example', () => {
    it('accepts the example body verbatim with the bare "Authorization: cs_…" header', async () => {
      const a = await h.account();
      await approveSender(h.rt.ctx, a.id, 'helioseditor.com');
      expect(a.key).toMatch(/^cs_[A-Za-z0-9_-]{64}$/);
      const res = await h.app.inject({
        method: 'POST',
        url: '/send',
        headers: { 'content-type': 'application/json', authorization: a.key },
        payload: SEED_BODY,
      });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toEqual({ id: expect.stringMatching(/^msg_/), status: 'queued' });

      const got = await getMessage(a.key, body.id);
      expect(got.statusCode).toBe(200);
      expect(got.json()).toMatchObject({
        id: body.id,
        channel: 'email',
        status: 'queued',
        from: 'contact@helioseditor.com',
        to: ['recipient@example.com'],
        subject: 'Test Email',
        price: '0.0010',
        events: [{ status: 'queued' }],
      });
      const jobs = await peek.jobsFor([body.id]);
      expect(jobs).toEqual([expect.objectContaining({ kind: 'deliver.email', status: 'pending' })]);
      expect(await h.rt.store.wallet.balance(a.id)).toBe(100_000_000 - RATE);
    });

    it('accepts the same body with the Bearer form', async () => {
      const a = await h.account();
      await approveSender(h.rt.ctx, a.id, 'helioseditor.com');
      const res = await h.app.inject({
        method: 'POST',
        url: '/send',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${a.key}` },
        payload: SEED_BODY,
      });
      expect(res.statusCode).toBe(200);
    });

    it('answers the document\'s own example key with 401 and {"detail": "Invalid user credentials"}', async () => {
      const res = await h.app.inject({
        method: 'POST',
        url: '/send',
        headers: { 'content-type': 'application/json', authorization: SEED_EXAMPLE_KEY },
        payload: SEED_BODY,
      });
      expect(res.statusCode).toBe(401);
      expect(res.json().detail).toBe('Invalid user credentials');
    });

    it('refuses the example body while helioseditor.com is not approved for the account', async () => {
      const a = await h.account();
      const before = await snapshotOf(h, peek, a.id);
      const res = await h.app.inject({
        method: 'POST',
        url: '/send',
        headers: { 'content-type': 'application/json', authorization: a.key },
        payload: SEED_BODY,
      });
      expectApiError(res, 422, 'sender_not_approved');
      expect(await snapshotOf(h, peek, a.id)).toEqual(before);
    });
  });

  describe('addresses and senders', () => {
    it('accepts `to` as a string and shows it as an array', async () => {
      const a = await h.account();
      const res = await send(a.key, { ...base, to: 'single@example.org', text: 'plain' });
      expect(res.statusCode).toBe(200);
      const got = (await getMessage(a.key, res.json().id)).json();
      expect(got.to).toEqual(['single@example.org']);
      expect(got.subject).toBe('Hello');
    });

    it('accepts a "Name <addr>" sender and recipients', async () => {
      const a = await h.account();
      const res = await send(a.key, { ...base, from: 'Hellio Team <team@example.com>', to: ['Ann Smith <ann@example.org>', 'bob@example.org'] });
      expect(res.statusCode).toBe(200);
      const got = (await getMessage(a.key, res.json().id)).json();
      expect(got.from).toBe('Hellio Team <team@example.com>');
      expect(got.to).toEqual(['Ann Smith <ann@example.org>', 'bob@example.org']);
      expect((await h.rt.store.messages.get(a.id, res.json().id))?.sender).toBe('team@example.com');
    });

    it('keeps a quoted display name quoted, so its comma cannot split the address', async () => {
      const a = await h.account();
      const res = await send(a.key, { ...base, from: '"Lovelace, Ada" <ada@example.com>', to: '"Smith, Ann" <ann@example.org>' });
      expect(res.statusCode).toBe(200);
      const got = (await getMessage(a.key, res.json().id)).json();
      expect(got.from).toBe('"Lovelace, Ada" <ada@example.com>');
      expect(got.to).toEqual(['"Smith, Ann" <ann@example.org>']);
    });

    it('treats the sender domain case-insensitively', async () => {
      const a = await h.account();
      expect((await send(a.key, { ...base, from: 'News@EXAMPLE.com' })).statusCode).toBe(200);
    });

    it('accepts an approved single address but not another address at the same domain', async () => {
      const a = await h.account();
      await approveSender(h.rt.ctx, a.id, 'alerts@acme-mail.io');
      expect((await send(a.key, { ...base, from: 'alerts@acme-mail.io' })).statusCode).toBe(200);
      expect((await send(a.key, { ...base, from: 'Alerts <alerts@acme-mail.io>' })).statusCode).toBe(200);
      await expectRefusedWithoutWrites(a, { ...base, from: 'billing@acme-mail.io' }, 422, 'sender_not_approved');
    });

    it('does not let a subdomain or a look-alike ride on an approved domain', async () => {
      const a = await h.account();
      await expectRefusedWithoutWrites(a, { ...base, from: 'x@mail.example.com' }, 422, 'sender_not_approved');
      await expectRefusedWithoutWrites(a, { ...base, from: 'x@example.com.evil.io' }, 422, 'sender_not_approved');
    });

    it('does not let one account use another account\'s approved domain', async () => {
      const a = await h.account();
      const b = await h.account();
      await approveSender(h.rt.ctx, a.id, 'only-a.io');
      expect((await send(a.key, { ...base, from: 'hi@only-a.io' })).statusCode).toBe(200);
      await expectRefusedWithoutWrites(b, { ...base, from: 'hi@only-a.io' }, 422, 'sender_not_approved');
    });
  });

  describe('price', () => {
    it('charges 0.0010 per recipient across to, cc and bcc', async () => {
      const a = await h.account();
      const res = await send(a.key, {
        ...base,
        to: ['a@example.org', 'b@example.org'],
        cc: 'c@example.org',
        bcc: ['d@example.org', 'e@example.org'],
      });
      expect(res.statusCode).toBe(200);
      const id = res.json().id;
      // 5 recipients × 0.0010 = 0.0050
      expect(await h.rt.store.wallet.balance(a.id)).toBe(100_000_000 - 5_000);
      expect(await h.rt.store.wallet.ledgerSum(a.id)).toBe(100_000_000 - 5_000);
      const debits = (await h.rt.store.wallet.ledger(a.id)).filter((l) => l.kind === 'debit');
      expect(debits).toEqual([expect.objectContaining({ amount_micros: -5_000, reference: id })]);
      expect((await getMessage(a.key, id)).json().price).toBe('0.0050');
      // One message and one job, whatever the number of recipients.
      expect(await peek.jobsFor([id])).toHaveLength(1);
    });

    it('sends to and charges an address given twice once: in one list, or in to and cc or bcc (the domain in any case)', async () => {
      const a = await h.account();
      const res = await send(a.key, {
        ...base,
        to: ['a@example.org', 'Ann <a@EXAMPLE.org>', 'b@example.org'],
        cc: ['b@Example.Org', 'c@example.org'],
        bcc: ['a@example.org', 'c@example.org', 'B@example.org'],
      });
      expect(res.statusCode, res.body).toBe(200);
      const id = res.json().id;
      // a, b, c and B (a local part's case is the receiving server's to judge): 4 × 0.0010.
      expect((await getMessage(a.key, id)).json().price).toBe('0.0040');
      expect(await h.rt.store.wallet.balance(a.id)).toBe(100_000_000 - 4_000);
      const stored = await h.rt.store.messages.get(a.id, id);
      const payload = JSON.parse(stored!.payload!);
      expect(payload).toMatchObject({ to: ['a@example.org', 'b@example.org'], cc: ['c@example.org'], bcc: ['B@example.org'] });
    });

    it('accepts 50 recipients in `to` and charges 0.0500', async () => {
      const a = await h.account();
      expect((await send(a.key, { ...base, to: addrs(50) })).statusCode).toBe(200);
      expect(await h.rt.store.wallet.balance(a.id)).toBe(100_000_000 - 50 * RATE);
    });

    it('refuses with 402 insufficient_balance and writes nothing', async () => {
      const a = await h.account({ balance: '0.002' });
      // 3 recipients × 0.0010 = 0.0030 > 0.0020
      await expectRefusedWithoutWrites(a, { ...base, to: addrs(3) }, 402, 'insufficient_balance');
      expect(await h.rt.store.wallet.balance(a.id)).toBe(2_000);
      const empty = await h.account({ balance: '0' });
      await expectRefusedWithoutWrites(empty, base, 402, 'insufficient_balance');
    });

    it('never charges a sandbox key', async () => {
      const a = await h.account({ balance: '0', test: true });
      const res = await send(a.key, { ...base, to: addrs(3) });
      expect(res.statusCode).toBe(200);
      expect(await h.rt.store.wallet.balance(a.id)).toBe(0);
      expect(await h.rt.store.wallet.ledger(a.id)).toEqual([]);
      expect((await getMessage(a.key, res.json().id)).json().sandbox).toBe(true);
    });
  });

  describe('optional fields', () => {
    it('accepts attachments, cc, bcc, reply_to, headers and tags and keeps them for delivery', async () => {
      const a = await h.account();
      const content = Buffer.from('hello, attachment').toString('base64');
      const res = await send(a.key, {
        from: 'Billing <billing@example.com>',
        to: ['ann@example.org'],
        cc: ['cc@example.org'],
        bcc: 'hidden@example.org',
        reply_to: 'support@example.com',
        subject: 'Your invoice',
        html: '<p>Attached.</p>',
        text: 'Attached.',
        headers: { 'X-Entity-Ref-ID': 'inv-7', 'List-Unsubscribe': '<mailto:unsub@example.com>' },
        attachments: [{ filename: 'invoice.txt', content, content_type: 'text/plain' }],
        tags: [{ name: 'category', value: 'invoice' }],
      });
      expect(res.statusCode).toBe(200);
      const id = res.json().id;
      const row = await h.rt.store.messages.get(a.id, id);
      const payload = JSON.parse(row!.payload!);
      expect(payload).toMatchObject({
        from: 'Billing <billing@example.com>',
        to: ['ann@example.org'],
        cc: ['cc@example.org'],
        bcc: ['hidden@example.org'],
        reply_to: ['support@example.com'],
        subject: 'Your invoice',
        html: '<p>Attached.</p>',
        text: 'Attached.',
        headers: { 'X-Entity-Ref-ID': 'inv-7', 'List-Unsubscribe': '<mailto:unsub@example.com>' },
        attachments: [{ filename: 'invoice.txt', content, content_type: 'text/plain' }],
        tags: [{ name: 'category', value: 'invoice' }],
      });
      // 3 recipients (to, cc, bcc; reply_to is not one) × 0.0010
      expect(await h.rt.store.wallet.balance(a.id)).toBe(100_000_000 - 3_000);
      // Reports show neither bcc nor the attachment.
      const got = (await getMessage(a.key, id)).json();
      expect(got.to).toEqual(['ann@example.org']);
      expect(JSON.stringify(got)).not.toContain('hidden@example.org');
      expect(JSON.stringify(got)).not.toContain(content);
    });

    it('accepts text without html', async () => {
      const a = await h.account();
      const { html: _html, ...rest } = base;
      expect((await send(a.key, { ...rest, text: 'plain only' })).statusCode).toBe(200);
    });

    it('schedules a message for later', async () => {
      const a = await h.account();
      const at = new Date(Date.now() + 3_600_000);
      at.setUTCMilliseconds(0);
      const res = await send(a.key, { ...base, scheduled_at: at.toISOString() });
      expect(res.statusCode).toBe(200);
      expect(res.json().status).toBe('scheduled');
      expect((await peek.jobsFor([res.json().id]))[0]?.run_at).toBe(at.getTime());
    });
  });

  describe('validation', () => {
    const { html: _html, ...noBody } = base;
    const { subject: _subject, ...noSubject } = base;
    it.each([
      ['a missing subject', noSubject, 'subject'],
      ['a blank subject', { ...base, subject: '   ' }, 'subject'],
      ['a subject with a line break', { ...base, subject: 'Hi\r\nBcc: victim@example.org' }, 'subject'],
      ['neither html nor text', noBody, 'html'],
      ['a missing recipient', { from: base.from, subject: 'x', html: 'x' }, 'to'],
      ['an empty recipient list', { ...base, to: [] }, 'to'],
      ['an invalid recipient', { ...base, to: 'not-an-address' }, 'to'],
      ['an invalid second recipient', { ...base, to: ['ok@example.org', 'nope@', 'ok2@example.org'] }, 'to[1]'],
      ['an invalid cc', { ...base, cc: ['x@@example.org', 'y@example.org'] }, 'cc[0]'],
      ['an invalid bcc', { ...base, bcc: 'bcc@localhost' }, 'bcc'],
      ['an invalid reply_to', { ...base, reply_to: 'reply at example.com' }, 'reply_to'],
      ['an invalid sender', { ...base, from: 'not an address' }, 'from'],
      ['a sender with a line break', { ...base, from: 'Evil\r\nBcc: x@example.org <news@example.com>' }, 'from'],
      ['51 recipients in to', { ...base, to: addrs(51) }, 'to'],
      ['51 recipients in cc', { ...base, cc: addrs(51) }, 'cc'],
      ['an attachment that is not base64', { ...base, attachments: [{ filename: 'a.txt', content: 'this is *not* base64!' }] }, 'attachments[0].content'],
      ['an attachment without content', { ...base, attachments: [{ filename: 'a.txt' }] }, 'attachments[0].content'],
      ['an attachment with a path as its name', { ...base, attachments: [{ filename: '../etc/passwd', content: 'aGk=' }] }, 'attachments[0].filename'],
      ['a reserved header (From)', { ...base, headers: { From: 'ceo@example.com' } }, 'headers.From'],
      ['a reserved header in another case (bcc)', { ...base, headers: { bcc: 'spy@example.org' } }, 'headers.bcc'],
      ['a header value with CRLF', { ...base, headers: { 'X-Custom': 'ok\r\nBcc: spy@example.org' } }, 'headers.X-Custom'],
      ['a header name with a space', { ...base, headers: { 'X Custom': 'v' } }, 'headers.X Custom'],
      ['an unknown field', { ...base, priority: 'high' }, 'priority'],
      ['a malformed scheduled_at', { ...base, scheduled_at: 'next tuesday' }, 'scheduled_at'],
      ['a scheduled_at more than 60 s in the past', { ...base, scheduled_at: '2026-01-01T00:00:00Z' }, 'scheduled_at'],
      ['a tag without a value', { ...base, tags: [{ name: 'x' }] }, 'tags[0].value'],
    ])('refuses %s with 422 naming the field', async (_label, payload, field) => {
      const a = await h.account();
      const body = await expectRefusedWithoutWrites(a, payload, 422, 'validation_failed');
      expect(fieldsOf(body)).toContain(field);
    });

    it('reports several bad fields at once', async () => {
      const a = await h.account();
      const body = await expectRefusedWithoutWrites(
        a,
        { from: 'news@example.com', to: ['bad', 'ok@example.org'], subject: ' ', headers: { From: 'x@example.com' } },
        422,
        'validation_failed',
      );
      expect(fieldsOf(body)).toEqual(expect.arrayContaining(['to[0]', 'subject', 'html', 'headers.From']));
    });
  });
});
