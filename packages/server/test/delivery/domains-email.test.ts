import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticate } from '../support/mail-auth.ts';
import { type DnsTestServer, startDnsServer } from '../support/dns-server.ts';
import { BACKENDS, bearer, createHarness, type Harness } from '../support/harness.ts';
import { type SmtpPeer, startSmtpPeer } from '../support/smtp-peer.ts';

/**
 * Sending domains end to end: add a domain (a DKIM key is made), publish its record on a real
 * DNS server, verify it through HELLIO_DNS_SERVERS, send through the worker over real SMTP, and
 * check on the receiving side that the DKIM signature verifies (mailauth).
 */
describe.each(BACKENDS)('sending domains, DKIM and SMTP delivery on %s', (backend) => {
  let h: Harness;
  let dns: DnsTestServer;
  let smtp: SmtpPeer;

  beforeAll(async () => {
    dns = await startDnsServer();
    smtp = await startSmtpPeer({
      onRcpt: (address) => (address.startsWith('gone@') ? { code: 550, message: '5.1.1 no such user' } : null),
    });
    h = await createHarness(backend, { env: { HELLIO_DNS_SERVERS: `127.0.0.1:${dns.port}`, HELLIO_SMTP_URL: smtp.url() } });
  });
  afterAll(async () => {
    await h?.close();
    await smtp?.close();
    await dns?.close();
  });

  const api = (key: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });

  async function waitFor(key: string, id: string, statuses: string[]) {
    const worker = h.rt.createWorker({ pollMs: 10 });
    for (let i = 0; i < 200; i++) {
      await worker.drain();
      const m = (await api(key, 'GET', `/messages/${id}`)).json();
      if (statuses.includes(m.status)) return m;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`message ${id} never reached ${statuses.join('/')}`);
  }

  it('adds a domain, shows the records to publish, and verifies it once the DKIM record is in DNS', async () => {
    const a = await h.account();
    const added = await api(a.key, 'POST', '/domains', { domain: 'Mail-Example.ORG' });
    expect(added.statusCode).toBe(200);
    const d = added.json();
    expect(d).toMatchObject({ domain: 'mail-example.org', status: 'pending', dkim_selector: 'hellio1' });
    expect(JSON.stringify(d)).not.toContain('PRIVATE');
    const dkim = d.records.find((r: { purpose: string }) => r.purpose === 'dkim');
    expect(dkim).toMatchObject({ type: 'TXT', name: 'hellio1._domainkey.mail-example.org' });
    expect(dkim.value).toMatch(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]+$/);
    expect(d.records.some((r: { purpose: string }) => r.purpose === 'spf')).toBe(true);

    // Before the record is published: still pending, and mail from the domain is refused.
    const early = (await api(a.key, 'POST', `/domains/${d.id}/verify`)).json();
    expect(early).toMatchObject({ status: 'pending', checks: { dkim: false } });
    const refused = await api(a.key, 'POST', '/send', { from: 'news@mail-example.org', to: 'x@example.net', subject: 's', text: 't' });
    expect(refused.json().code).toBe('sender_not_approved');

    dns.add({ type: 'TXT', name: dkim.name, value: dkim.value });
    const verified = (await api(a.key, 'POST', `/domains/${d.id}/verify`)).json();
    expect(verified).toMatchObject({ status: 'verified', checks: { dkim: true } });
    expect(verified.verified_at).toEqual(expect.any(String));
    const sent = await api(a.key, 'POST', '/send', { from: 'news@mail-example.org', to: 'x@example.net', subject: 's', text: 't' });
    expect(sent.statusCode).toBe(200);

    const listed = (await api(a.key, 'GET', '/domains')).json();
    expect(listed.data.map((x: { id: string }) => x.id)).toEqual([d.id]);
  });

  it('delivers over SMTP, DKIM-signed with the domain key, and the signature verifies at the receiver', async () => {
    const a = await h.account();
    const d = (await api(a.key, 'POST', '/domains', { domain: 'signed-example.org' })).json();
    const dkim = d.records.find((r: { purpose: string }) => r.purpose === 'dkim');
    dns.add({ type: 'TXT', name: dkim.name, value: dkim.value });
    expect((await api(a.key, 'POST', `/domains/${d.id}/verify`)).json().status).toBe('verified');

    const res = await api(a.key, 'POST', '/send', {
      from: 'Signed <hello@signed-example.org>',
      to: ['reader@example.net'],
      subject: 'Signed hello',
      html: '<p>Hello</p>',
      text: 'Hello',
    });
    const m = await waitFor(a.key, res.json().id, ['delivered', 'bounced', 'failed']);
    expect(m.status).toBe('delivered');
    expect(m.events.map((e: { status: string }) => e.status)).toEqual(['queued', 'sending', 'sent', 'delivered']);
    const mail = smtp.received.find((r) => r.to.includes('reader@example.net'))!;
    expect(mail).toBeDefined();
    const auth = await authenticate(mail.raw, { resolver: dns.resolver, disableArc: true, disableDmarc: true, disableBimi: true });
    const result = auth.dkim.results.find((r) => r.signingDomain === 'signed-example.org');
    expect(result?.status.result).toBe('pass');
  });

  it('bounces on a 550 from the receiving server and refunds the message', async () => {
    const a = await h.account({ balance: '1.00' });
    const res = await api(a.key, 'POST', '/send', { from: 'news@example.com', to: 'gone@example.net', subject: 's', text: 't' });
    const m = await waitFor(a.key, res.json().id, ['delivered', 'bounced', 'failed']);
    expect(m.status).toBe('bounced');
    expect(m.error).toContain('550');
    expect((await api(a.key, 'GET', '/balance')).json().balance).toBe('1.0000');
  });

  it("answers 404 for another account's domain, 409 for a duplicate, 422 for a bad name, 403 without email:send", async () => {
    const a = await h.account();
    const b = await h.account();
    const d = (await api(a.key, 'POST', '/domains', { domain: 'owned-example.org' })).json();
    const foreign = await api(b.key, 'GET', `/domains/${d.id}`);
    const missing = await api(b.key, 'GET', '/domains/dom_01m84m8awxbkhwp3m80e0v33my');
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toEqual(missing.json());
    expect((await api(b.key, 'POST', `/domains/${d.id}/verify`)).statusCode).toBe(404);
    expect((await api(a.key, 'POST', '/domains', { domain: 'owned-example.org' })).statusCode).toBe(409);
    expect((await api(a.key, 'POST', '/domains', { domain: 'not a domain' })).json().code).toBe('validation_failed');
    const smsOnly = await h.key(a.id, { scopes: 'sms:send' });
    expect((await api(smsOnly.key, 'GET', '/domains')).json().code).toBe('insufficient_scope');
  });
});
