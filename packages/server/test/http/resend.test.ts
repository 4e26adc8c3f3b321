import type { AddressInfo } from 'node:net';
import { Resend } from 'resend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { leafParts, parseMime, type SmtpPeer, startSmtpPeer } from '../support/smtp-peer.ts';

/**
 * Resend's compatibility API (/resend) driven by the `resend` npm client itself against a real
 * Hellio server listening on loopback, delivering over SMTP to a local peer, on both backends.
 */

const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const REPORT = Buffer.from('name,count\nalpha,1\n');

const REQUEST_ID = /^req_[0-9a-z]{26}$/;

describe.each(BACKENDS)('the resend client against /resend on %s', (backend) => {
  let h: Harness;
  let smtp: SmtpPeer;
  let baseUrl: string;
  let a: TestAccount;
  let resend: Resend;

  beforeAll(async () => {
    smtp = await startSmtpPeer();
    h = await createHarness(backend, { env: { HELLIO_SMTP_URL: smtp.url() } });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}/resend`;
    a = await h.account();
    resend = new Resend(a.key, { baseUrl });
  });
  afterAll(async () => {
    await h?.close();
    await smtp?.close();
  });

  /** Runs every due job (deliveries) to the end. */
  const deliver = () => h.rt.createWorker({ pollMs: 10 }).drain();
  /** The mails the SMTP peer took whose Subject is `subject`. */
  const arrived = (subject: string) => smtp.received.filter((m) => parseMime(m.raw).header('subject') === subject);
  const unique = (what: string) => `${what} ${Math.random().toString(36).slice(2, 10)}`;

  it('sends an email with cc, bcc, reply_to, headers, tags and attachments, and it arrives over SMTP (delivered)', async () => {
    const subject = unique('Quarterly report');
    const { data, error } = await resend.emails.send({
      from: 'Reports <reports@example.com>',
      to: ['alice@example.org', 'bob@example.org'],
      cc: 'carol@example.org',
      bcc: ['dave@example.org'],
      replyTo: 'replies@example.com',
      subject,
      html: '<p>See the figures</p><img src="cid:pixel">',
      text: 'See the figures',
      headers: { 'X-Campaign': 'q4' },
      tags: [{ name: 'category', value: 'reports' }],
      attachments: [
        { filename: 'report.csv', content: REPORT, contentType: 'text/csv' },
        { filename: 'pixel.png', content: PIXEL.toString('base64'), contentId: 'pixel' },
      ],
    });
    expect(error).toBeNull();
    expect(data).toEqual({ id: expect.stringMatching(/^msg_/) });

    await deliver();
    const [mail, ...more] = arrived(subject);
    expect(more).toEqual([]);
    expect(mail).toBeDefined();
    expect(mail!.to.sort()).toEqual(['alice@example.org', 'bob@example.org', 'carol@example.org', 'dave@example.org']);
    const mime = parseMime(mail!.raw);
    expect(mime.header('from')).toContain('reports@example.com');
    expect(mime.header('cc')).toContain('carol@example.org');
    expect(mime.header('bcc')).toBeUndefined();
    expect(mime.header('reply-to')).toContain('replies@example.com');
    expect(mime.header('x-campaign')).toBe('q4');
    const leaves = leafParts(mime);
    expect(leaves.find((p) => p.type === 'text/csv')?.body.equals(REPORT)).toBe(true);
    const inline = leaves.find((p) => p.type === 'image/png');
    expect(inline?.body.equals(PIXEL)).toBe(true);
    expect(inline?.header('content-id')).toBe('<pixel>');
    expect(leaves.find((p) => p.type === 'text/plain')?.body.toString()).toContain('See the figures');

    const got = await resend.emails.get(data!.id);
    expect(got.error).toBeNull();
    expect(got.data).toMatchObject({
      object: 'email',
      id: data!.id,
      from: 'Reports <reports@example.com>',
      to: ['alice@example.org', 'bob@example.org'],
      cc: ['carol@example.org'],
      bcc: ['dave@example.org'],
      reply_to: ['replies@example.com'],
      subject,
      html: '<p>See the figures</p><img src="cid:pixel">',
      text: 'See the figures',
      tags: [{ name: 'category', value: 'reports' }],
      last_event: 'delivered',
      scheduled_at: null,
    });
    expect(Date.parse(got.data!.created_at)).toBeGreaterThan(Date.now() - 60_000);
    // The same message through Hellio's own API: one id for both.
    const own = await h.app.inject({ method: 'GET', url: `/messages/${data!.id}`, headers: bearer(a.key) });
    expect(own.json()).toMatchObject({ id: data!.id, channel: 'email', status: 'delivered' });
  });

  it('reads RESEND_BASE_URL when the client is made without baseUrl', async () => {
    const before = process.env.RESEND_BASE_URL;
    process.env.RESEND_BASE_URL = baseUrl;
    let fromEnv: Resend;
    try {
      fromEnv = new Resend(a.key);
    } finally {
      if (before === undefined) delete process.env.RESEND_BASE_URL;
      else process.env.RESEND_BASE_URL = before;
    }
    const subject = unique('From the environment');
    const { data, error } = await fromEnv.emails.send({ from: 'news@example.com', to: 'erin@example.org', subject, text: 'hi' });
    expect(error).toBeNull();
    await deliver();
    expect(arrived(subject)).toHaveLength(1);
    expect((await fromEnv.emails.get(data!.id)).data).toMatchObject({ id: data!.id, last_event: 'delivered', to: ['erin@example.org'], cc: null, bcc: null, reply_to: null });
  });

  it('sends a batch in one go, and every email of it arrives', async () => {
    const subjects = [unique('Batch one'), unique('Batch two')];
    const { data, error } = await resend.batch.send(subjects.map((subject, i) => ({ from: 'news@example.com', to: `batch${i}@example.org`, subject, html: `<p>${i}</p>` })));
    expect(error).toBeNull();
    expect(data!.data).toEqual([{ id: expect.stringMatching(/^msg_/) }, { id: expect.stringMatching(/^msg_/) }]);
    expect(data).not.toHaveProperty('errors');
    await deliver();
    for (const s of subjects) expect(arrived(s)).toHaveLength(1);
  });

  it('refuses a whole strict batch for one bad email, writing nothing; a permissive one sends the rest and names the bad one', async () => {
    const b = await h.account();
    const client = new Resend(b.key, { baseUrl });
    const emails = [
      { from: 'news@example.com', to: 'ok@example.org', subject: 'fine', text: 'x' },
      { from: 'news@example.com', to: 'not an address', subject: 'bad', text: 'x' },
    ];
    const strict = await client.batch.send(emails);
    expect(strict.data).toBeNull();
    expect(strict.error).toEqual({ statusCode: 422, name: 'validation_error', message: expect.stringContaining('[1].to') });
    expect((await client.emails.list()).data!.data).toEqual([]);

    const permissive = await client.batch.send(emails, { batchValidation: 'permissive' });
    expect(permissive.error).toBeNull();
    expect(permissive.data!.data).toHaveLength(1);
    expect(permissive.data!.errors).toEqual([{ index: 1, message: expect.stringContaining('to') }]);
    expect((await client.emails.list()).data!.data.map((e) => e.id)).toEqual([permissive.data!.data[0]!.id]);
  });

  it('lists the account\'s emails newest first, a page at a time, and no SMS', async () => {
    const b = await h.account();
    const client = new Resend(b.key, { baseUrl });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await client.emails.send({ from: 'news@example.com', to: `list${i}@example.org`, subject: `list ${i}`, text: 'x' })).data!.id);
    const sms = await h.app.inject({ method: 'POST', url: '/sms/send', headers: bearer(b.key), payload: { from: 'HELLIO', to: '+447911123456', message: 'not an email' } });
    expect(sms.statusCode).toBe(200);

    const first = await client.emails.list({ limit: 2 });
    expect(first.error).toBeNull();
    expect(first.data).toMatchObject({ object: 'list', has_more: true });
    expect(first.data!.data.map((e) => e.id)).toEqual([ids[2], ids[1]]);
    expect(first.data!.data[0]).toMatchObject({ to: ['list2@example.org'], subject: 'list 2', last_event: 'queued' });
    const second = await client.emails.list({ limit: 2, after: ids[1]! });
    expect(second.data).toMatchObject({ object: 'list', has_more: false });
    expect(second.data!.data.map((e) => e.id)).toEqual([ids[0]]);

    const before = await client.emails.list({ before: ids[0]! });
    expect(before.error).toMatchObject({ statusCode: 422, name: 'validation_error' });
    const smsAsEmail = await client.emails.get(sms.json().messages[0].id);
    expect(smsAsEmail.error).toMatchObject({ statusCode: 404, name: 'not_found' });
  });

  it('schedules "in 1 min", moves it, cancels it; a canceled email cannot be canceled again', async () => {
    const subject = unique('Scheduled');
    const sent = await resend.emails.send({ from: 'news@example.com', to: 'later@example.org', subject, text: 'later', scheduledAt: 'in 1 min' });
    expect(sent.error).toBeNull();
    const id = sent.data!.id;
    const got = (await resend.emails.get(id)).data!;
    expect(got.last_event).toBe('scheduled');
    expect(Math.abs(Date.parse(got.scheduled_at!) - (Date.now() + 60_000))).toBeLessThan(10_000);

    const moved = await resend.emails.update({ id, scheduledAt: 'in 2 hours' });
    expect(moved).toMatchObject({ data: { object: 'email', id }, error: null });
    const after = (await resend.emails.get(id)).data!;
    expect(after.last_event).toBe('scheduled');
    expect(Math.abs(Date.parse(after.scheduled_at!) - (Date.now() + 7_200_000))).toBeLessThan(10_000);

    const canceled = await resend.emails.cancel(id);
    expect(canceled).toMatchObject({ data: { object: 'email', id }, error: null });
    expect((await resend.emails.get(id)).data!.last_event).toBe('canceled');
    await deliver();
    expect(arrived(subject)).toEqual([]);

    const again = await resend.emails.cancel(id);
    expect(again.error).toMatchObject({ statusCode: 409, name: 'validation_error', message: expect.stringContaining('canceled') });
    const late = await resend.emails.update({ id, scheduledAt: 'in 5 min' });
    expect(late.error).toMatchObject({ statusCode: 409, name: 'validation_error' });
  });

  it('moving a scheduled email to now moves its delivery too: it goes at once', async () => {
    const subject = unique('Brought forward');
    const id = (await resend.emails.send({ from: 'news@example.com', to: 'soon@example.org', subject, text: 'x', scheduledAt: new Date(Date.now() + 3_600_000).toISOString() })).data!.id;
    await deliver();
    expect(arrived(subject)).toEqual([]);
    expect((await resend.emails.update({ id, scheduledAt: new Date().toISOString() })).error).toBeNull();
    await deliver();
    expect(arrived(subject)).toHaveLength(1);
    expect((await resend.emails.get(id)).data!.last_event).toBe('delivered');
  });

  it('replays a send with the same Idempotency-Key, and refuses the key with another body', async () => {
    const key = `resend-${Math.random()}`;
    const payload = { from: 'news@example.com', to: 'once@example.org', subject: unique('Once'), text: 'x' };
    const first = await resend.emails.send(payload, { idempotencyKey: key });
    const second = await resend.emails.send(payload, { idempotencyKey: key });
    expect(first.error).toBeNull();
    expect(second.data).toEqual(first.data);
    expect(second.headers?.['idempotent-replayed']).toBe('true');
    const other = await resend.emails.send({ ...payload, text: 'changed' }, { idempotencyKey: key });
    expect(other.error).toMatchObject({ statusCode: 409, name: 'invalid_idempotent_request' });
  });

  describe('errors, as the client surfaces them', () => {
    const email = { from: 'news@example.com', to: 'x@example.org', subject: 'errors', text: 'x' };

    it('a key that does not exist → invalid_api_key', async () => {
      const res = await new Resend(`cs_${'A'.repeat(64)}`, { baseUrl }).emails.send(email);
      expect(res).toMatchObject({ data: null, error: { statusCode: 403, name: 'invalid_api_key', message: 'Invalid user credentials' } });
    });

    it('a key without email:send → restricted_api_key, naming the scope', async () => {
      const k = await h.key(a.id, { scopes: 'reports' });
      const res = await new Resend(k.key, { baseUrl }).emails.send(email);
      expect(res.error).toMatchObject({ statusCode: 401, name: 'restricted_api_key', message: expect.stringContaining('"email:send"') });
    });

    it('a missing field → missing_required_field', async () => {
      const { subject: _omitted, ...rest } = email;
      const res = await resend.emails.send(rest as typeof email);
      expect(res.error).toMatchObject({ statusCode: 422, name: 'missing_required_field', message: expect.stringContaining('subject') });
    });

    it('a bad from → invalid_from_address; an unapproved sender → a 403 validation_error', async () => {
      expect((await resend.emails.send({ ...email, from: 'not an address' })).error).toMatchObject({ statusCode: 422, name: 'invalid_from_address' });
      expect((await resend.emails.send({ ...email, from: 'news@unverified.example.net' })).error).toMatchObject({
        statusCode: 403,
        name: 'validation_error',
        message: expect.stringContaining('not approved'),
      });
    });

    it('an empty wallet → monthly_quota_exceeded, and an Idempotency-Key replays that refusal in the same body', async () => {
      const poor = await h.account({ balance: '0' });
      const client = new Resend(poor.key, { baseUrl });
      const first = await client.emails.send(email, { idempotencyKey: 'poor-1' });
      expect(first.error).toMatchObject({ statusCode: 429, name: 'monthly_quota_exceeded', message: expect.stringContaining('balance') });
      const replay = await client.emails.send(email, { idempotencyKey: 'poor-1' });
      expect(replay.error).toEqual(first.error);
      expect(replay.headers?.['idempotent-replayed']).toBe('true');
      expect((await client.emails.list()).data!.data).toEqual([]);
    });

    it('an attachment by path on a private address → invalid_attachment (the server fetches nothing)', async () => {
      const res = await resend.emails.send({ ...email, attachments: [{ filename: 'a.pdf', path: 'http://127.0.0.1:9/a.pdf' }] });
      expect(res.error).toMatchObject({ statusCode: 422, name: 'invalid_attachment', message: expect.stringContaining('127.0.0.1, which is not a public address') });
    });

    it('a schedule that is neither a timestamp nor words it knows → validation_error', async () => {
      const res = await resend.emails.send({ ...email, scheduledAt: 'next full moon' });
      expect(res.error).toMatchObject({ statusCode: 422, name: 'validation_error', message: expect.stringContaining('scheduled_at') });
    });

    it("an id that does not exist and another account's id → the same not_found", async () => {
      const b = await h.account();
      const theirs = (await new Resend(b.key, { baseUrl }).emails.send({ ...email, scheduledAt: 'in 1 hour' })).data!.id;
      const missing = await resend.emails.get('msg_00000000000000000000000000');
      const foreign = await resend.emails.get(theirs);
      expect(missing.error).toEqual({ statusCode: 404, name: 'not_found', message: 'Email not found' });
      expect(foreign.error).toEqual(missing.error);
      expect((await resend.emails.cancel(theirs)).error).toEqual(missing.error);
      expect((await resend.emails.update({ id: theirs, scheduledAt: 'in 2 hours' })).error).toEqual(missing.error);
      // Still scheduled for its owner.
      expect((await new Resend(b.key, { baseUrl }).emails.get(theirs)).data!.last_event).toBe('scheduled');
    });

    it('the body is exactly {statusCode, name, message}, with an X-Request-Id; unknown paths too', async () => {
      for (const [url, init, status, name] of [
        ['/emails', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(email) }, 401, 'missing_api_key'],
        ['/emails', { method: 'POST', headers: { ...bearer(a.key), 'content-type': 'application/json' }, body: '{"from":' }, 400, 'validation_error'],
        ['/nothing-here', { method: 'GET', headers: bearer(a.key) }, 404, 'not_found'],
        ['/emails', { method: 'DELETE', headers: bearer(a.key) }, 405, 'method_not_allowed'],
      ] as const) {
        const res = await fetch(`${baseUrl}${url}`, init);
        expect(res.status, url).toBe(status);
        expect(res.headers.get('x-request-id')).toMatch(REQUEST_ID);
        const body = await res.json();
        expect(Object.keys(body).sort()).toEqual(['message', 'name', 'statusCode']);
        expect(body).toMatchObject({ statusCode: status, name });
      }
    });
  });
});

describe.each(BACKENDS)('the resend client against a rate limit on %s', (backend) => {
  let h: Harness;
  let baseUrl: string;
  beforeAll(async () => {
    h = await createHarness(backend, { env: { HELLIO_RATE_LIMIT_PER_MINUTE: '2' } });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    baseUrl = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}/resend`;
  });
  afterAll(async () => h?.close());

  it('answers rate_limit_exceeded with Retry-After once the key is over its limit', async () => {
    const a = await h.account();
    const client = new Resend(a.key, { baseUrl });
    for (let i = 0; i < 2; i++) expect((await client.emails.list()).error).toBeNull();
    const over = await client.emails.list();
    expect(over.error).toMatchObject({ statusCode: 429, name: 'rate_limit_exceeded', message: expect.stringContaining('2 requests per minute') });
    expect(Number(over.headers!['retry-after'])).toBeGreaterThan(0);
    expect(over.headers!['x-ratelimit-remaining']).toBe('0');
  });

  it('keeps the /resend routes out of /openapi.json', async () => {
    const spec = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(spec.paths).filter((p) => p.startsWith('/resend'))).toEqual([]);
    expect(Object.keys(spec.paths)).toContain('/send');
  });
});
