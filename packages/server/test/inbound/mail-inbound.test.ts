import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { Webhook } from 'standardwebhooks';
import { generateDkimKey } from '../../src/lib/dkim.ts';
import { isSuppressed } from '../../src/modules/suppressions/suppressions.ts';
import { purge } from '../../src/modules/retention/purge.ts';
import type { InboundMailServer } from '../../src/providers/email/inbound-mail.ts';
import type { Worker } from '../../src/queue/worker.ts';
import { type DnsTestServer, startDnsServer } from '../support/dns-server.ts';
import { type SmtpPeer, startSmtpPeer } from '../support/smtp-peer.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { type ReceivedWebhook, WebhookReceiver } from '../support/webhook-receiver.ts';
import { until } from '../support/wait.ts';

const DAY = 86_400_000;

/**
 * The inbound SMTP server end to end: nodemailer hands it delivery status notifications (RFC 3464)
 * and feedback reports (RFC 5965) written as Postfix and a mailbox provider's feedback loop write
 * them, and plain mail with attachments; the messages move, addresses are suppressed, mail is
 * stored with its SPF/DKIM/DMARC verdicts (against a real DNS server), and the webhook events are
 * verified with `standardwebhooks`.
 */
describe.each(BACKENDS)('inbound email on %s', (backend) => {
  let h: Harness;
  let dns: DnsTestServer;
  let receiver: WebhookReceiver;
  let worker: Worker;
  let inbound: InboundMailServer;
  let port = 0;
  let a: TestAccount & { domain: string; secret: string };
  let b: TestAccount & { domain: string; secret: string };
  const MAX_BYTES = 300_000;

  const api = (key: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });

  /** An account with a verified domain and a webhook endpoint for every event. */
  async function accountWithDomain(domain: string, path: string) {
    const acc = await h.account();
    const d = (await api(acc.key, 'POST', '/domains', { domain })).json();
    const dkim = d.records.find((r: { purpose: string }) => r.purpose === 'dkim');
    dns.add({ type: 'TXT', name: dkim.name, value: dkim.value });
    expect((await api(acc.key, 'POST', `/domains/${d.id}/verify`)).json().status).toBe('verified');
    const wh = await api(acc.key, 'POST', '/webhooks', { url: receiver.url(path), events: ['*'] });
    expect(wh.statusCode, wh.body).toBe(200);
    return { ...acc, domain, secret: wh.json().secret as string };
  }

  const transport = () => nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, logger: false });

  const verified = (secret: string, w: ReceivedWebhook) => new Webhook(secret).verify(w.body, w.headers as Record<string, string>) as ReceivedWebhook['json'];

  async function eventOf(path: string, secret: string, type: string, match: (data: any) => boolean) {
    const w = await until(`${type} at ${path}`, () => receiver.at(path).find((x) => x.json.type === type && match(x.json.data)) ?? false, { timeoutMs: 15_000 });
    return verified(secret, w);
  }

  /** Sends an email through the API and waits until the simulator has delivered it. */
  async function sentAndDelivered(acc: TestAccount & { domain: string }, to: string) {
    const res = await api(acc.key, 'POST', '/send', { from: `news@${acc.domain}`, to, subject: 'Our news', text: 'Hello' });
    expect(res.statusCode, res.body).toBe(200);
    const id = res.json().id as string;
    await until(`${id} delivered`, async () => (await api(acc.key, 'GET', `/messages/${id}`)).json().status === 'delivered', { timeoutMs: 15_000 });
    return id;
  }

  const balance = async (acc: TestAccount) => (await api(acc.key, 'GET', '/balance')).json().balance as string;

  /** A bounce as Postfix writes it: the human part, the delivery-status part, the returned headers. */
  function postfixDsn(o: { to: string; messageId: string | null; recipient: string; status: string; action?: string; diagnostic: string }) {
    const boundary = 'B6A3C1E2F0.1765000000/mx.example.net';
    return [
      'From: MAILER-DAEMON@mx.example.net (Mail Delivery System)',
      `To: ${o.to}`,
      'Subject: Undelivered Mail Returned to Sender',
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      `Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary="${boundary}"`,
      'Content-Transfer-Encoding: 8bit',
      'Message-Id: <20261206060000.B6A3C1E2F0@mx.example.net>',
      '',
      'This is a MIME-encapsulated message.',
      '',
      `--${boundary}`,
      'Content-Description: Notification',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'This is the mail system at host mx.example.net.',
      '',
      "I'm sorry to have to inform you that your message could not",
      'be delivered to one or more recipients.',
      '',
      `<${o.recipient}>: host mx2.example.net said: ${o.diagnostic}`,
      '',
      `--${boundary}`,
      'Content-Description: Delivery report',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.net',
      'X-Postfix-Queue-ID: B6A3C1E2F0',
      'Arrival-Date: Sun,  6 Dec 2026 06:00:00 +0000 (UTC)',
      '',
      `Final-Recipient: rfc822; ${o.recipient}`,
      `Original-Recipient: rfc822;${o.recipient}`,
      `Action: ${o.action ?? 'failed'}`,
      `Status: ${o.status}`,
      'Remote-MTA: dns; mx2.example.net',
      `Diagnostic-Code: smtp; ${o.diagnostic.slice(0, 30)}`,
      `    ${o.diagnostic.slice(30)}`,
      '',
      `--${boundary}`,
      'Content-Description: Undelivered Message Headers',
      'Content-Type: text/rfc822-headers',
      '',
      ...(o.messageId ? [`Message-ID: ${o.messageId}`] : []),
      `From: news@example`,
      `To: ${o.recipient}`,
      'Subject: Our news',
      '',
      `--${boundary}--`,
      '',
    ].join('\r\n');
  }

  /** A complaint as a feedback loop sends it (RFC 5965 ARF), with the whole original message. */
  function arfReport(o: { to: string; messageId: string; complainer: string }) {
    const boundary = 'arf-boundary-42';
    return [
      'From: Feedback Loop <fbl@isp.example>',
      `To: ${o.to}`,
      'Subject: FW: Our news',
      'MIME-Version: 1.0',
      `Content-Type: multipart/report; report-type=feedback-report; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset="US-ASCII"',
      '',
      'This is an email abuse report for an email message received from IP 127.0.0.1.',
      '',
      `--${boundary}`,
      'Content-Type: message/feedback-report',
      '',
      'Feedback-Type: abuse',
      'User-Agent: SomeGenerator/1.0',
      'Version: 1',
      'Original-Mail-From: <news@example>',
      `Original-Rcpt-To: <${o.complainer}>`,
      'Arrival-Date: Sun, 06 Dec 2026 06:00:00 +0000',
      'Reported-Domain: example',
      'Source-IP: 127.0.0.1',
      '',
      `--${boundary}`,
      'Content-Type: message/rfc822',
      'Content-Disposition: inline',
      '',
      'From: news@example',
      `To: ${o.complainer}`,
      'Subject: Our news',
      `Message-ID: ${o.messageId}`,
      'Date: Sun, 06 Dec 2026 05:59:00 +0000',
      '',
      'Hello',
      '',
      `--${boundary}--`,
      '',
    ].join('\r\n');
  }

  beforeAll(async () => {
    dns = await startDnsServer();
    receiver = await WebhookReceiver.start();
    h = await createHarness(backend, {
      env: {
        HELLIO_DNS_SERVERS: `127.0.0.1:${dns.port}`,
        HELLIO_WEBHOOKS_ALLOW_PRIVATE: 'true',
        HELLIO_SMTP_INBOUND_MAX_BYTES: String(MAX_BYTES),
        HELLIO_RATE_LIMIT_PER_MINUTE: '100000',
      },
    });
    worker = h.rt.createWorker({ pollMs: 20 });
    worker.start();
    inbound = h.rt.createInboundMail();
    port = await inbound.listen(0, '127.0.0.1');
    a = await accountWithDomain(`a-${backend}.test`, '/a');
    b = await accountWithDomain(`b-${backend}.test`, '/b');
  });
  afterAll(async () => {
    await inbound?.close();
    await worker?.stop();
    await h?.close();
    await receiver?.close();
    await dns?.close();
  });

  it('refuses a recipient of a domain nobody verified with 550 at RCPT, and a message over the size limit with 552', async () => {
    const refused = await transport()
      .sendMail({ from: 'someone@sender.test', to: 'info@unverified.test', subject: 'hi', text: 'hi' })
      .catch((e: { responseCode?: number; command?: string }) => e);
    expect(refused).toMatchObject({ responseCode: 550, command: 'RCPT TO' });

    const big = await transport()
      .sendMail({ from: 'someone@sender.test', to: `info@${a.domain}`, subject: 'big', text: 'x'.repeat(MAX_BYTES + 10_000) })
      .catch((e: { responseCode?: number }) => e);
    expect(big).toMatchObject({ responseCode: 552 });
    expect((await api(a.key, 'GET', '/emails/inbound')).json().data.filter((e: { subject: string }) => e.subject === 'big')).toEqual([]);
  });

  it('stores mail for a verified domain with its attachments and SPF/DKIM/DMARC verdicts, and announces it by email.received', async () => {
    const key = generateDkimKey();
    dns.add(
      { type: 'TXT', name: 'sender.test', value: 'v=spf1 ip4:127.0.0.1 -all' },
      { type: 'TXT', name: 's1._domainkey.sender.test', value: `v=DKIM1; k=rsa; p=${key.publicKeyBase64}` },
      { type: 'TXT', name: '_dmarc.sender.test', value: 'v=DMARC1; p=reject' },
    );
    const pdf = Buffer.from('%PDF-1.4 not really a pdf \u0000\u0001\u0002', 'latin1');
    const info = await transport().sendMail({
      from: 'Customer <customer@sender.test>',
      to: `support@${a.domain}`,
      cc: 'other@elsewhere.test',
      subject: 'Re: your invoice',
      text: 'Please see attached.',
      html: '<p>Please see attached.</p>',
      inReplyTo: '<msg_01JZZZZZZZZZZZZZZZZZZZZZZZ@a.test>',
      attachments: [
        { filename: 'invoice.pdf', content: pdf, contentType: 'application/pdf' },
        { filename: 'notes.txt', content: 'line one\nline two\n', contentType: 'text/plain' },
      ],
      dkim: { domainName: 'sender.test', keySelector: 's1', privateKey: key.privateKeyPem },
    });
    expect(info.accepted).toEqual([`support@${a.domain}`]);

    const event = await eventOf('/a', a.secret, 'email.received', (d) => d.subject === 'Re: your invoice');
    expect(event.data).toMatchObject({
      from: 'customer@sender.test',
      to: [`support@${a.domain}`, 'other@elsewhere.test'],
      rcpt_to: [`support@${a.domain}`],
      mail_from: 'customer@sender.test',
      in_reply_to: '<msg_01JZZZZZZZZZZZZZZZZZZZZZZZ@a.test>',
      authentication: { spf: 'pass', dkim: 'pass', dmarc: 'pass' },
      attachments: [
        { n: 1, filename: 'invoice.pdf', content_type: 'application/pdf', size: pdf.length },
        { n: 2, filename: 'notes.txt', content_type: 'text/plain', size: 18 },
      ],
    });
    const id = event.data.id as string;

    const list = await api(a.key, 'GET', '/emails/inbound');
    expect(list.statusCode).toBe(200);
    expect(list.json().data.map((e: { id: string }) => e.id)).toContain(id);
    const one = await api(a.key, 'GET', `/emails/inbound/${id}`);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ id, text: 'Please see attached.', html: '<p>Please see attached.</p>', redacted: false });

    const file = await api(a.key, 'GET', `/emails/inbound/${id}/attachments/1`);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toBe('attachment; filename="invoice.pdf"');
    expect(file.rawPayload.equals(pdf)).toBe(true);

    // Errors and other accounts.
    expect((await api(a.key, 'GET', `/emails/inbound/${id}/attachments/3`)).json().code).toBe('not_found');
    expect((await api(b.key, 'GET', `/emails/inbound/${id}`)).statusCode).toBe(404);
    expect((await api(b.key, 'GET', `/emails/inbound/${id}/attachments/1`)).statusCode).toBe(404);
    expect((await api(b.key, 'GET', '/emails/inbound')).json().data.map((e: { id: string }) => e.id)).not.toContain(id);
    const noScope = await h.key(a.id, { scopes: 'email:send' });
    expect((await api(noScope.key, 'GET', `/emails/inbound/${id}`)).json().code).toBe('insufficient_scope');
    expect((await api(a.key, 'GET', '/emails/inbound?cursor=msg_nope')).statusCode).toBe(422);

    // Mail from a sender whose SPF does not list us: recorded as it is, not refused.
    dns.add({ type: 'TXT', name: 'strict.test', value: 'v=spf1 ip4:192.0.2.1 -all' });
    const forged = await transport().sendMail({ envelope: { from: 'ceo@strict.test', to: [`support@${a.domain}`] }, raw: 'From: ceo@strict.test\r\nTo: support@x\r\nSubject: forged\r\n\r\nPay now\r\n' });
    expect(forged.accepted.length).toBe(1);
    const f = await eventOf('/a', a.secret, 'email.received', (d) => d.subject === 'forged');
    expect(f.data.authentication).toEqual({ spf: 'fail', dkim: 'none', dmarc: 'none' });
  });

  it('maps a DSN to the message it bounces: bounced after delivery, refunded, message.bounced, the address suppressed', async () => {
    const id = await sentAndDelivered(a, 'gone@example.net');
    const before = await balance(a);
    const dsn = postfixDsn({ to: `news@${a.domain}`, messageId: `<${id}@${a.domain}>`, recipient: 'gone@example.net', status: '5.1.1', diagnostic: '550 5.1.1 <gone@example.net>: Recipient address rejected: User unknown' });
    await transport().sendMail({ envelope: { from: '', to: [`news@${a.domain}`] }, raw: dsn });

    const event = await eventOf('/a', a.secret, 'message.bounced', (d) => d.id === id);
    expect(event.data).toMatchObject({ id, status: 'bounced' });
    expect(event.data.error).toContain('5.1.1');
    const m = (await api(a.key, 'GET', `/messages/${id}`)).json();
    expect(m.status).toBe('bounced');
    expect(m.events.map((e: { status: string }) => e.status)).toEqual(expect.arrayContaining(['delivered', 'bounced']));
    expect(Number(await balance(a))).toBeGreaterThan(Number(before));
    expect(await isSuppressed(h.rt.store, a.id, 'email', 'gone@example.net')).toBe(true);
    // A report is not stored as mail.
    expect((await api(a.key, 'GET', '/emails/inbound')).json().data.some((e: { subject: string }) => e.subject === 'Undelivered Mail Returned to Sender')).toBe(false);

    // The same report again changes nothing (and refunds nothing).
    const after = await balance(a);
    await transport().sendMail({ envelope: { from: '', to: [`news@${a.domain}`] }, raw: dsn });
    await new Promise((r) => setTimeout(r, 200));
    expect(await balance(a)).toBe(after);
  });

  it('a DSN to the VERP return path (bounces.<domain>) finds its message by the address alone; a 4.x.x failure bounces without suppressing', async () => {
    const id = await sentAndDelivered(a, 'full@example.net');
    const dsn = postfixDsn({ to: `${id}@bounces.${a.domain}`, messageId: null, recipient: 'full@example.net', status: '4.2.2', diagnostic: '452 4.2.2 Mailbox full, giving up after 5 days' });
    await transport().sendMail({ envelope: { from: '', to: [`${id}@bounces.${a.domain}`] }, raw: dsn });
    await eventOf('/a', a.secret, 'message.bounced', (d) => d.id === id);
    expect(await isSuppressed(h.rt.store, a.id, 'email', 'full@example.net')).toBe(false);
  });

  it('maps an ARF complaint to its message: complained, message.complained, the complainer suppressed; not refunded', async () => {
    const id = await sentAndDelivered(a, 'annoyed@example.net');
    const before = await balance(a);
    await transport().sendMail({ envelope: { from: 'fbl@isp.example', to: [`fbl@${a.domain}`] }, raw: arfReport({ to: `fbl@${a.domain}`, messageId: `<${id}@${a.domain}>`, complainer: 'annoyed@example.net' }) });
    const event = await eventOf('/a', a.secret, 'message.complained', (d) => d.id === id);
    expect(event.data.status).toBe('complained');
    expect((await api(a.key, 'GET', `/messages/${id}`)).json().status).toBe('complained');
    expect(await isSuppressed(h.rt.store, a.id, 'email', 'annoyed@example.net')).toBe(true);
    expect(await balance(a)).toBe(before);
  });

  it("does not let a report received on one account's domain move another account's message", async () => {
    const id = await sentAndDelivered(a, 'victim@example.net');
    const dsn = postfixDsn({ to: `postmaster@${b.domain}`, messageId: `<${id}@${a.domain}>`, recipient: 'victim@example.net', status: '5.1.1', diagnostic: '550 5.1.1 User unknown here at all' });
    await transport().sendMail({ envelope: { from: '', to: [`postmaster@${b.domain}`] }, raw: dsn });
    // B gets it as ordinary mail; A's message and suppression list are untouched.
    await eventOf('/b', b.secret, 'email.received', (d) => d.subject === 'Undelivered Mail Returned to Sender');
    expect((await api(a.key, 'GET', `/messages/${id}`)).json().status).toBe('delivered');
    expect(await isSuppressed(h.rt.store, a.id, 'email', 'victim@example.net')).toBe(false);
    expect(await isSuppressed(h.rt.store, b.id, 'email', 'victim@example.net')).toBe(false);
  });

  it('retention redacts received mail like message bodies: subject, bodies and attachments go', async () => {
    await transport().sendMail({ from: 'old@sender.test', to: `archive@${b.domain}`, subject: 'old news', text: 'body', attachments: [{ filename: 'a.txt', content: 'abc' }] });
    const e = await eventOf('/b', b.secret, 'email.received', (d) => d.subject === 'old news');
    const later = { store: h.rt.store, clock: { now: () => Date.now() + (h.config.retention.bodiesDays + 1) * DAY } };
    const report = await purge(later, h.config.retention);
    expect(report.inboundEmailsRedacted).toBeGreaterThanOrEqual(1);
    const got = (await api(b.key, 'GET', `/emails/inbound/${e.data.id}`)).json();
    expect(got).toMatchObject({ id: e.data.id, subject: null, text: null, html: null, redacted: true, attachments: [], from: 'old@sender.test' });
    expect((await api(b.key, 'GET', `/emails/inbound/${e.data.id}/attachments/1`)).statusCode).toBe(404);
  });
});

/**
 * The whole loop through a real relay: with HELLIO_RETURN_PATH_HOST set, mail from a verified domain
 * leaves with the VERP return path `msg_…@bounces.<domain>` (the relay sees it as MAIL FROM); the
 * bounce the relay's MTA later sends to that address finds the message by the address alone.
 */
describe.each(BACKENDS)('the VERP return path on %s', (backend) => {
  let h: Harness;
  let dns: DnsTestServer;
  let relay: SmtpPeer;
  let worker: Worker;
  let inbound: InboundMailServer;
  let port = 0;

  beforeAll(async () => {
    dns = await startDnsServer();
    relay = await startSmtpPeer();
    h = await createHarness(backend, {
      env: { HELLIO_DNS_SERVERS: `127.0.0.1:${dns.port}`, HELLIO_SMTP_URL: relay.url(), HELLIO_RETURN_PATH_HOST: 'bounces.hellio.example' },
    });
    worker = h.rt.createWorker({ pollMs: 20 });
    worker.start();
    inbound = h.rt.createInboundMail();
    port = await inbound.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await inbound?.close();
    await worker?.stop();
    await h?.close();
    await relay?.close();
    await dns?.close();
  });

  const api = (key: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });

  it('sends from msg_…@bounces.<domain>, publishes the CNAME to the bounce host, and takes the bounce back there', async () => {
    const acc = await h.account();
    const domain = `verp-${backend}.test`;
    const d = (await api(acc.key, 'POST', '/domains', { domain })).json();
    expect(d.records).toContainEqual(expect.objectContaining({ type: 'CNAME', name: `bounces.${domain}`, purpose: 'return_path' }));
    const dkim = d.records.find((r: { purpose: string }) => r.purpose === 'dkim');
    dns.add({ type: 'TXT', name: dkim.name, value: dkim.value });
    expect((await api(acc.key, 'POST', `/domains/${d.id}/verify`)).json().status).toBe('verified');

    const sent = await api(acc.key, 'POST', '/send', { from: `news@${domain}`, to: 'lost@example.net', cc: 'copy@example.net', subject: 'VERP', text: 'hi' });
    expect(sent.statusCode, sent.body).toBe(200);
    const id = sent.json().id as string;
    const got = await until('the relay to receive it', () => relay.received.find((m) => m.raw.toString().includes(`<${id}@${domain}>`)) ?? false);
    expect(got.from).toBe(`${id}@bounces.${domain}`);
    expect([...got.to].sort()).toEqual(['copy@example.net', 'lost@example.net']);
    await until(`${id} delivered`, async () => (await api(acc.key, 'GET', `/messages/${id}`)).json().status === 'delivered');

    // The relay's MTA gives up later: its DSN, to the return path, names the recipient only.
    const dsn = [
      'From: MAILER-DAEMON@relay.example',
      `To: ${id}@bounces.${domain}`,
      'Subject: Delivery Status Notification (Failure)',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="xx"',
      '',
      '--xx',
      'Content-Type: text/plain',
      '',
      'Delivery has failed.',
      '--xx',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; relay.example',
      '',
      'Final-Recipient: rfc822; lost@example.net',
      'Action: failed',
      'Status: 5.1.1',
      '--xx--',
      '',
    ].join('\r\n');
    const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    await t.sendMail({ envelope: { from: '', to: [`${id}@bounces.${domain}`] }, raw: dsn });
    await until(`${id} bounced`, async () => (await api(acc.key, 'GET', `/messages/${id}`)).json().status === 'bounced');
    expect(await isSuppressed(h.rt.store, acc.id, 'email', 'lost@example.net')).toBe(true);
    expect(await isSuppressed(h.rt.store, acc.id, 'email', 'copy@example.net')).toBe(false);
  });
});
