import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setAccountCaps } from '../../src/modules/access/accounts.ts';
import { topUp } from '../../src/modules/billing/wallet.ts';
import { type DnsTestServer, startDnsServer } from '../support/dns-server.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { expectError } from '../support/http-assert.ts';
import { type MailHosts, startMailHosts } from '../support/mail-hosts.ts';

/**
 * POST /email/verify, GET /email/verifications and GET /email/verifications/{id} on both stores,
 * with a real DNS server and real SMTP servers behind HELLIO_DNS_SERVERS and the probe's port.
 */

const PRICE = 2_000; // 0.0020, the rate 0009_email_verifications inserts
const NO_SUCH_USER = { code: 550, message: '5.1.1 No such user here' };

let dns: DnsTestServer;
let mail: MailHosts;
/** How each RCPT's session introduced itself: EHLO name and MAIL FROM. */
const sessions: Array<{ rcpt: string; helo: string; mailFrom: string | null }> = [];

beforeAll(async () => {
  mail = await startMailHosts({
    mailboxes: {
      smtp: {
        onRcpt: (addr, session) => {
          const from = session.envelope.mailFrom;
          sessions.push({ rcpt: addr, helo: session.hostNameAppearsAs, mailFrom: from ? from.address : null });
          return ['alice', 'bob'].includes(addr.split('@')[0]!) ? null : NO_SUCH_USER;
        },
      },
    },
  });
  dns = await startDnsServer([
    { type: 'MX', name: 'accept.test', value: '10 mx.accept.test' },
    { type: 'A', name: 'mx.accept.test', value: mail.hosts.mailboxes!.address },
  ]);
});

afterAll(async () => {
  await dns?.close();
  await mail?.close();
});

describe.each(BACKENDS)('email verification on %s', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(backend, {
      env: {
        HELLIO_DNS_SERVERS: `127.0.0.1:${dns.port}`,
        HELLIO_EMAIL_VERIFY_SMTP_PORT: String(mail.port),
        HELLIO_EMAIL_VERIFY_ALLOW_PRIVATE: 'true',
        HELLIO_EMAIL_VERIFY_TIMEOUT_MS: '1000',
        HELLIO_EMAIL_VERIFY_HELO: 'verify.hellio.test',
      },
    });
  });
  afterAll(async () => h?.close());

  const verify = (key: string, payload: unknown, headers: Record<string, string> = {}) =>
    h.app.inject({ method: 'POST', url: '/email/verify', headers: { ...bearer(key), ...headers }, payload: payload as object });
  const get = (key: string, url: string) => h.app.inject({ method: 'GET', url, headers: bearer(key) });
  const rows = async (a: TestAccount) => (await h.rt.store.emailVerifications.list(a.id, {}, 100)).length;
  const debits = async (a: TestAccount) => (await h.rt.store.wallet.ledger(a.id)).filter((l) => l.kind === 'debit');

  /** Sends a request that must be refused, and checks that nothing was stored, charged or probed. */
  async function expectRefused(a: TestAccount, payload: unknown, status: number, code: string, key = a.key) {
    const [balance, stored, probed] = [await h.rt.store.wallet.balance(a.id), await rows(a), mail.hosts.mailboxes!.rcpts.length];
    const body = expectError(await verify(key, payload), status, code);
    expect(await h.rt.store.wallet.balance(a.id)).toBe(balance);
    expect(await h.rt.store.wallet.ledgerSum(a.id)).toBe(balance);
    expect(await rows(a)).toBe(stored);
    expect(mail.hosts.mailboxes!.rcpts.length).toBe(probed);
    return body;
  }

  describe('POST /email/verify', () => {
    it('verifies with the SMTP probe, answers the documented shape, stores the answer and debits the flat rate', async () => {
      const a = await h.account({ balance: '1.00' });
      const res = await verify(a.key, { email: 'alice@accept.test', smtp_check: true });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body).toEqual({
        id: expect.stringMatching(/^emv_[0-9a-z]{26}$/),
        email: 'alice@accept.test',
        result: 'deliverable',
        reason: 'mailbox_exists',
        checks: { syntax: true, domain: true, mx: true, disposable: false, role: false, free: false, smtp: true, catch_all: false },
        mx_hosts: ['mx.accept.test'],
        suggestion: null,
        price: '0.0020',
        currency: 'USD',
        sandbox: false,
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      });
      expect(mail.hosts.mailboxes!.rcpts).toContain('alice@accept.test');
      expect(await h.rt.store.wallet.balance(a.id)).toBe(1_000_000 - PRICE);
      expect(await h.rt.store.wallet.ledgerSum(a.id)).toBe(1_000_000 - PRICE);
      expect(await debits(a)).toEqual([expect.objectContaining({ amount_micros: -PRICE, reference: body.id })]);
      const again = await get(a.key, `/email/verifications/${body.id}`);
      expect(again.statusCode).toBe(200);
      expect(again.json()).toEqual(body);
    });

    it('answers undeliverable for a mailbox the server refuses', async () => {
      const a = await h.account();
      const res = await verify(a.key, { email: 'nobody@accept.test', smtp_check: true });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ result: 'undeliverable', reason: 'mailbox_not_found', checks: { smtp: false } });
    });

    it('skips the probe by default (HELLIO_EMAIL_VERIFY_SMTP unset) and when asked not to', async () => {
      const a = await h.account();
      const probed = mail.hosts.mailboxes!.rcpts.length;
      for (const payload of [{ email: 'bob@accept.test' }, { email: 'bob@accept.test', smtp_check: false }]) {
        const res = await verify(a.key, payload);
        expect(res.statusCode).toBe(200);
        expect(res.json()).toMatchObject({ result: 'deliverable', reason: 'domain_accepts_mail', checks: { mx: true, smtp: null, catch_all: null } });
      }
      expect(mail.hosts.mailboxes!.rcpts.length).toBe(probed);
    });

    it('answers (and charges) an address of invalid syntax as undeliverable, with the typo fix for a known provider', async () => {
      const a = await h.account({ balance: '1.00' });
      const bad = await verify(a.key, { email: 'not an address' });
      expect(bad.statusCode).toBe(200);
      expect(bad.json()).toMatchObject({ email: 'not an address', result: 'undeliverable', reason: 'invalid_syntax', checks: { syntax: false, domain: null } });
      const typo = await verify(a.key, { email: 'alice@gmial.com' });
      expect(typo.json()).toMatchObject({ result: 'undeliverable', reason: 'domain_not_found', suggestion: 'alice@gmail.com', checks: { domain: false, disposable: true } });
      expect(await h.rt.store.wallet.balance(a.id)).toBe(1_000_000 - 2 * PRICE);
    });

    it('never charges a sandbox key nor lets it probe a mail server, and says so in the stored answer', async () => {
      const a = await h.account({ balance: '0', test: true });
      expect(a.key.startsWith('cs_test_')).toBe(true);
      const probed = mail.hosts.mailboxes!.rcpts.length;
      const res = await verify(a.key, { email: 'alice@accept.test', smtp_check: true });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ result: 'deliverable', reason: 'domain_accepts_mail', checks: { smtp: null }, sandbox: true, price: '0.0020' });
      expect(mail.hosts.mailboxes!.rcpts.length).toBe(probed);
      expect(await h.rt.store.wallet.ledger(a.id)).toEqual([]);
      expect(await rows(a)).toBe(1);
    });

    it('charges the rate in force in the price list', async () => {
      const a = await h.account({ balance: '1.00' });
      await h.rt.store.prices.set('email_verify', '', 3_500);
      try {
        const res = await verify(a.key, { email: 'bob@accept.test' });
        expect(res.json().price).toBe('0.0035');
        expect(await h.rt.store.wallet.balance(a.id)).toBe(1_000_000 - 3_500);
      } finally {
        await h.rt.store.prices.set('email_verify', '', PRICE);
      }
    });

    it('refuses without a key (401 missing_credentials) and with an unknown one (401 invalid_credentials)', async () => {
      expectError(await h.app.inject({ method: 'POST', url: '/email/verify', payload: { email: 'alice@accept.test' } }), 401, 'missing_credentials');
      const forged = `cs_${'A'.repeat(64)}`;
      expectError(await verify(forged, { email: 'alice@accept.test' }), 401, 'invalid_credentials');
    });

    it('refuses a key without the email:verify scope with 403 insufficient_scope naming it', async () => {
      const a = await h.account();
      const k = await h.key(a.id, { scopes: 'sms:send,lookup' });
      const body = await expectRefused(a, { email: 'alice@accept.test' }, 403, 'insufficient_scope', k.key);
      expect(body.message).toContain('email:verify');
    });

    it.each([
      ['no email', {}, 'email'],
      ['an empty email', { email: '' }, 'email'],
      ['a blank email', { email: '   ' }, 'email'],
      ['an object for email', { email: { address: 'alice@accept.test' } }, 'email'],
      ['an email over 512 characters', { email: `${'a'.repeat(501)}@accept.test` }, 'email'],
      ['a smtp_check that is not a boolean', { email: 'alice@accept.test', smtp_check: 'maybe' }, 'smtp_check'],
      ['an unknown field', { email: 'alice@accept.test', smtp: true }, 'smtp'],
    ])('refuses %s with 422 validation_failed naming the field, writing nothing', async (_what, payload, field) => {
      const a = await h.account();
      const body = await expectRefused(a, payload, 422, 'validation_failed');
      expect(body.errors!.map((e) => e.field)).toContain(field);
    });

    it('refuses malformed JSON with 400 invalid_json', async () => {
      const a = await h.account();
      const res = await h.app.inject({
        method: 'POST',
        url: '/email/verify',
        headers: { ...bearer(a.key), 'content-type': 'application/json' },
        payload: '{"email": "alice@accept.test"',
      });
      expectError(res, 400, 'invalid_json');
    });

    it('refuses with 402 insufficient_balance before probing, and stores nothing', async () => {
      const empty = await h.account({ balance: '0' });
      await expectRefused(empty, { email: 'alice@accept.test', smtp_check: true }, 402, 'insufficient_balance');
      const short = await h.account({ balance: '0.001' });
      await expectRefused(short, { email: 'alice@accept.test', smtp_check: true }, 402, 'insufficient_balance');
      // Exactly the price is enough, and leaves nothing.
      const exact = await h.account({ balance: '0.002' });
      expect((await verify(exact.key, { email: 'alice@accept.test' })).statusCode).toBe(200);
      expect(await h.rt.store.wallet.balance(exact.id)).toBe(0);
    });

    it('refuses with 403 spend_cap_exceeded when the daily cap would be passed, and stores nothing', async () => {
      const a = await h.account();
      await setAccountCaps(h.rt.ctx, a.id, { daily: 3_000 });
      expect((await verify(a.key, { email: 'bob@accept.test' })).statusCode).toBe(200);
      await expectRefused(a, { email: 'bob@accept.test' }, 403, 'spend_cap_exceeded');
      expect(await rows(a)).toBe(1);
    });

    it('replays a retry with the same Idempotency-Key without verifying or charging again', async () => {
      const a = await h.account({ balance: '1.00' });
      const headers = { 'idempotency-key': `idem-${randomUUID()}` };
      const first = await verify(a.key, { email: 'alice@accept.test', smtp_check: true }, headers);
      expect(first.statusCode).toBe(200);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      const probed = mail.hosts.mailboxes!.rcpts.length;
      const second = await verify(a.key, { email: 'alice@accept.test', smtp_check: true }, headers);
      expect(second.statusCode).toBe(200);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect(second.body).toBe(first.body);
      expect(mail.hosts.mailboxes!.rcpts.length).toBe(probed);
      expect(await rows(a)).toBe(1);
      expect(await debits(a)).toHaveLength(1);
      expectError(await verify(a.key, { email: 'bob@accept.test' }, headers), 422, 'idempotency_key_reused');
    });

    it('remembers a 402 under its Idempotency-Key, as for messages', async () => {
      const a = await h.account({ balance: '0' });
      const headers = { 'idempotency-key': `idem-${randomUUID()}` };
      expectError(await verify(a.key, { email: 'alice@accept.test' }, headers), 402, 'insufficient_balance');
      await topUp(h.rt.ctx, a.id, 1_000_000);
      const replay = await verify(a.key, { email: 'alice@accept.test' }, headers);
      expectError(replay, 402, 'insufficient_balance');
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect((await verify(a.key, { email: 'alice@accept.test' }, { 'idempotency-key': `idem-${randomUUID()}` })).statusCode).toBe(200);
    });
  });

  describe('GET /email/verifications', () => {
    it('lists the account’s verifications newest first, pages with a cursor and filters by result', async () => {
      const a = await h.account();
      const ids: string[] = [];
      for (const email of ['alice@accept.test', 'broken', 'bob@accept.test']) ids.push((await verify(a.key, { email })).json().id);
      const other = await h.account();
      await verify(other.key, { email: 'alice@accept.test' });

      const page1 = await get(a.key, '/email/verifications?limit=2');
      expect(page1.statusCode).toBe(200);
      expect(page1.json().data.map((v: { id: string }) => v.id)).toEqual([ids[2], ids[1]]);
      expect(page1.json().next_cursor).toBe(ids[1]);
      const page2 = (await get(a.key, `/email/verifications?limit=2&cursor=${ids[1]}`)).json();
      expect(page2).toEqual({ data: [expect.objectContaining({ id: ids[0], email: 'alice@accept.test' })], next_cursor: null });
      const undeliverable = (await get(a.key, '/email/verifications?result=undeliverable')).json();
      expect(undeliverable.data.map((v: { id: string }) => v.id)).toEqual([ids[1]]);
    });

    it('answers 404 for another account’s verification exactly as for a missing one', async () => {
      const a = await h.account();
      const b = await h.account();
      const theirs = (await verify(b.key, { email: 'alice@accept.test' })).json().id as string;
      const foreign = expectError(await get(a.key, `/email/verifications/${theirs}`), 404, 'not_found');
      const missing = expectError(await get(a.key, `/email/verifications/emv_${'0'.repeat(26)}`), 404, 'not_found');
      expect(foreign.message).toBe(missing.message);
      expectError(await get(a.key, '/email/verifications/msg_whatever'), 404, 'not_found');
      expect((await get(b.key, `/email/verifications/${theirs}`)).statusCode).toBe(200);
    });

    it('refuses bad list parameters with 422, and keys without the scope with 403', async () => {
      const a = await h.account();
      for (const q of ['limit=0', 'limit=101', 'cursor=nope', 'result=maybe', 'colour=blue']) {
        expectError(await get(a.key, `/email/verifications?${q}`), 422, 'validation_failed');
      }
      const k = await h.key(a.id, { scopes: 'reports' });
      expectError(await get(k.key, '/email/verifications'), 403, 'insufficient_scope');
      expectError(await get(k.key, `/email/verifications/emv_${'0'.repeat(26)}`), 403, 'insufficient_scope');
      expectError(await h.app.inject({ method: 'GET', url: '/email/verifications' }), 401, 'missing_credentials');
    });
  });
});

describe('the installation-wide probe settings', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite', {
      env: {
        HELLIO_DNS_SERVERS: `127.0.0.1:${dns.port}`,
        HELLIO_EMAIL_VERIFY_SMTP: 'true',
        HELLIO_EMAIL_VERIFY_SMTP_PORT: String(mail.port),
        HELLIO_EMAIL_VERIFY_ALLOW_PRIVATE: 'true',
        HELLIO_EMAIL_VERIFY_HELO: 'probe.hellio.test',
        HELLIO_EMAIL_VERIFY_MAIL_FROM: 'bounces@hellio.test',
      },
    });
  });
  afterAll(async () => h?.close());

  it('probes by default with HELLIO_EMAIL_VERIFY_SMTP=true, introducing itself as configured; smtp_check: false still skips it', async () => {
    const a = await h.account();
    sessions.length = 0;
    const probed = await h.app.inject({ method: 'POST', url: '/email/verify', headers: bearer(a.key), payload: { email: 'bob@accept.test' } });
    expect(probed.json()).toMatchObject({ result: 'deliverable', reason: 'mailbox_exists', checks: { smtp: true, catch_all: false } });
    expect(sessions[0]).toEqual({ rcpt: 'bob@accept.test', helo: 'probe.hellio.test', mailFrom: 'bounces@hellio.test' });
    const skipped = await h.app.inject({
      method: 'POST',
      url: '/email/verify',
      headers: bearer(a.key),
      payload: { email: 'bob@accept.test', smtp_check: false },
    });
    expect(skipped.json()).toMatchObject({ reason: 'domain_accepts_mail', checks: { smtp: null } });
    expect(sessions).toHaveLength(2);
  });

  it('documents the endpoints in the OpenAPI description', async () => {
    const spec = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/email/verify', '/email/verifications', '/email/verifications/{id}']));
    const schema = spec.paths['/email/verify'].post.responses['200'].content['application/json'].schema;
    expect(Object.keys(schema.properties.checks.properties)).toEqual(['syntax', 'domain', 'mx', 'disposable', 'role', 'free', 'smtp', 'catch_all']);
  });
});
