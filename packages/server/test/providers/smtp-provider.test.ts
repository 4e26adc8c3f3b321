import { type AddressInfo, createServer, Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dkimRecords, generateDkimKey } from '../../src/lib/dkim.ts';
import { newId } from '../../src/lib/ids.ts';
import { createLogger } from '../../src/lib/logger.ts';
import type { EmailSend } from '../../src/providers/email/email-provider.ts';
import { SmtpProvider, parseSmtpUrl, type SmtpProviderOptions } from '../../src/providers/email/smtp-provider.ts';
import { startDnsServer, type DnsTestServer } from '../support/dns-server.ts';
import { authenticate } from '../support/mail-auth.ts';
import { leafParts, parseMime, startSmtpPeer, type SmtpPeer, type SmtpPeerOptions } from '../support/smtp-peer.ts';

const cleanup: Array<() => Promise<void>> = [];

afterEach(async () => {
  // Providers first: smtp-server's close waits for its clients to hang up.
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function peer(opts: SmtpPeerOptions = {}): Promise<SmtpPeer> {
  const p = await startSmtpPeer(opts);
  cleanup.push(() => p.close());
  return p;
}

async function dns(): Promise<DnsTestServer> {
  const d = await startDnsServer();
  cleanup.push(() => d.close());
  return d;
}

function provider(url: string, opts: SmtpProviderOptions = {}): SmtpProvider {
  const p = SmtpProvider.fromUrl(url, { connectionTimeoutMs: 5_000, ...opts });
  cleanup.push(() => p.close());
  return p;
}

function email(over: Partial<EmailSend> = {}): EmailSend {
  return {
    messageId: newId('msg'),
    from: 'Hellio Test <sender@example.test>',
    to: ['ada@dest.test'],
    cc: [],
    bcc: [],
    replyTo: [],
    subject: 'Hello',
    html: null,
    text: 'Hello there.',
    headers: {},
    attachments: [],
    dkim: null,
    ...over,
  };
}

const refuse = (code: number, message: string) => ({ code, message });

async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!cond()) throw new Error(`gave up waiting for ${what}`);
}

describe('parseSmtpUrl', () => {
  it('reads host, port, TLS mode and percent-decoded credentials', () => {
    expect(parseSmtpUrl('smtp://us%40er:p%3Ass@mail.example.test:2525')).toEqual({
      host: 'mail.example.test',
      port: 2525,
      secure: false,
      auth: { user: 'us@er', pass: 'p:ss' },
    });
    expect(parseSmtpUrl('smtps://relay.test')).toEqual({ host: 'relay.test', port: 465, secure: true, auth: null });
    expect(parseSmtpUrl('smtp://relay.test').port).toBe(587);
    expect(parseSmtpUrl('smtp://[::1]:25').host).toBe('::1');
  });

  it('refuses other schemes without repeating the password', () => {
    expect(() => parseSmtpUrl('http://u:hunter2@relay.test')).toThrow(/smtp:\/\/ or smtps:\/\//);
    expect(() => parseSmtpUrl('http://u:hunter2@relay.test')).not.toThrow(/hunter2/);
    expect(() => parseSmtpUrl('not a url hunter2')).not.toThrow(/hunter2/);
  });
});

describe('SmtpProvider', () => {
  it('delivers every field: addresses, Bcc only in the envelope, text, html, headers, attachments', async () => {
    const creds = { user: 'hellio', pass: 'p@ss:w/rd' };
    const server = await peer({ auth: creds });
    const smtp = provider(server.url(creds));
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const msg = email({
      to: ['Ada Lovelace <ada@dest.test>', 'bob@dest.test'],
      cc: ['carol@dest.test'],
      bcc: ['dave@hidden.test'],
      replyTo: ['Support <support@example.test>'],
      subject: 'Quarterly report – Grüße',
      text: 'Plain body, with ümlauts.',
      html: '<p>HTML <b>body</b></p>',
      headers: { 'X-Campaign': 'spring-2025', 'List-Unsubscribe': '<mailto:unsub@example.test>' },
      attachments: [
        { filename: 'report.bin', content: bytes.toString('base64'), content_type: 'application/octet-stream' },
        { filename: 'notes.txt', content: Buffer.from('some notes\n').toString('base64') },
      ],
    });

    const result = await smtp.send(msg);

    expect(result).toMatchObject({ ok: true, providerMessageId: `<${msg.messageId}@example.test>` });
    if (!result.ok) throw new Error(result.error);
    expect(result.response).toMatch(/^250 /);
    expect(server.received).toHaveLength(1);
    const got = server.received[0]!;
    expect(got.user).toBe('hellio');
    expect(got.from).toBe('sender@example.test');
    expect(got.to.sort()).toEqual(['ada@dest.test', 'bob@dest.test', 'carol@dest.test', 'dave@hidden.test']);

    const mime = parseMime(got.raw);
    expect(mime.header('from')).toBe('Hellio Test <sender@example.test>');
    expect(mime.header('to')).toBe('Ada Lovelace <ada@dest.test>, bob@dest.test');
    expect(mime.header('cc')).toBe('carol@dest.test');
    expect(mime.header('reply-to')).toBe('Support <support@example.test>');
    expect(mime.header('subject')).toBe('Quarterly report – Grüße');
    expect(mime.header('message-id')).toBe(result.providerMessageId);
    expect(mime.header('x-campaign')).toBe('spring-2025');
    expect(mime.header('list-unsubscribe')).toBe('<mailto:unsub@example.test>');
    expect(mime.header('date')).toBeDefined();
    expect(mime.header('bcc')).toBeUndefined();
    expect(got.raw.toString('latin1')).not.toContain('hidden.test');

    const leaves = leafParts(mime);
    const text = leaves.find((p) => p.type === 'text/plain' && !p.params.name);
    const html = leaves.find((p) => p.type === 'text/html');
    expect(text?.body.toString('utf8').trim()).toBe('Plain body, with ümlauts.');
    expect(html?.body.toString('utf8').trim()).toBe('<p>HTML <b>body</b></p>');
    const bin = leaves.find((p) => /filename="?report\.bin/.test(p.header('content-disposition') ?? ''));
    expect(bin?.type).toBe('application/octet-stream');
    expect(bin?.body.equals(bytes)).toBe(true);
    const notes = leaves.find((p) => /filename="?notes\.txt/.test(p.header('content-disposition') ?? ''));
    expect(notes?.type).toBe('text/plain');
    expect(notes?.body.toString('utf8')).toBe('some notes\n');
  });

  it('sends a text-only and an html-only message', async () => {
    const server = await peer();
    const smtp = provider(server.url());
    expect((await smtp.send(email({ text: 'only text', html: null }))).ok).toBe(true);
    expect((await smtp.send(email({ text: null, html: '<i>only html</i>' }))).ok).toBe(true);
    const [a, b] = server.received.map((m) => parseMime(m.raw));
    expect(a!.type).toBe('text/plain');
    expect(a!.body.toString('utf8').trim()).toBe('only text');
    expect(b!.type).toBe('text/html');
    expect(b!.body.toString('utf8').trim()).toBe('<i>only html</i>');
  });

  it('reports a 550 on every recipient as a bounce', async () => {
    const server = await peer({ onRcpt: () => refuse(550, 'No such user here') });
    const result = await provider(server.url()).send(email({ to: ['nobody@dest.test', 'noone@dest.test'] }));
    expect(result).toMatchObject({ ok: false, retryable: false, responseCode: 550 });
    if (result.ok) throw new Error('unreachable');
    expect(result.error).toContain('No such user here');
    expect(result.error).toContain('nobody@dest.test');
    expect(server.received).toHaveLength(0);
  });

  it('takes partial acceptance as sent, naming the refused recipients', async () => {
    const server = await peer({ onRcpt: (addr) => (addr.startsWith('gone@') ? refuse(550, 'Mailbox unavailable') : null) });
    const result = await provider(server.url()).send(email({ to: ['ada@dest.test', 'gone@dest.test'], cc: ['carol@dest.test'] }));
    expect(result.ok).toBe(true);
    if (!result.ok) throw new Error(result.error);
    expect(result.response).toMatch(/^250 .*refused: gone@dest\.test \(550 Mailbox unavailable\)$/);
    expect('rejected' in result && result.rejected).toEqual([{ recipient: 'gone@dest.test', responseCode: 550, response: '550 Mailbox unavailable' }]);
    expect(server.received[0]!.to.sort()).toEqual(['ada@dest.test', 'carol@dest.test']);
  });

  it('retries a greylisted message (451) and delivers it the second time', async () => {
    const seen = new Set<string>();
    const server = await peer({
      onRcpt: (addr) => {
        if (seen.has(addr)) return null;
        seen.add(addr);
        return refuse(451, 'Greylisted, try again later');
      },
    });
    const smtp = provider(server.url());
    const msg = email();

    const first = await smtp.send(msg);
    expect(first).toMatchObject({ ok: false, retryable: true, responseCode: 451 });
    expect(server.received).toHaveLength(0);

    const second = await smtp.send(msg);
    expect(second).toMatchObject({ ok: true, providerMessageId: `<${msg.messageId}@example.test>` });
    expect(server.received).toHaveLength(1);
  });

  it('retries when every recipient is refused but one of them only for now', async () => {
    const server = await peer({ onRcpt: (addr) => (addr.startsWith('full@') ? refuse(452, 'Mailbox full') : refuse(550, 'No such user')) });
    const result = await provider(server.url()).send(email({ to: ['nobody@dest.test', 'full@dest.test'] }));
    expect(result).toMatchObject({ ok: false, retryable: true, responseCode: 452 });
  });

  it('maps a refusal after DATA: 5xx bounces, 4xx retries', async () => {
    let code = 554;
    const server = await peer({ onMessage: () => refuse(code, code >= 500 ? 'Message rejected as spam' : 'Try again later') });
    const smtp = provider(server.url());
    expect(await smtp.send(email())).toMatchObject({ ok: false, retryable: false, responseCode: 554 });
    code = 421;
    expect(await smtp.send(email())).toMatchObject({ ok: false, retryable: true, responseCode: 421 });
  });

  it('retries when the server is down', async () => {
    const server = await startSmtpPeer();
    const url = server.url();
    await server.close();
    const result = await provider(url).send(email());
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(result).not.toHaveProperty('responseCode');
  });

  it('retries when the server takes the connection but never greets', async () => {
    const sockets = new Set<Socket>();
    const mute = createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    cleanup.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => mute.close(() => resolve()));
    });
    const address = mute.address();
    if (!address || typeof address === 'string') throw new Error('not listening');
    const result = await provider(`smtp://127.0.0.1:${address.port}`, { connectionTimeoutMs: 300 }).send(email());
    expect(result).toMatchObject({ ok: false, retryable: true });
    if (result.ok) throw new Error('unreachable');
    expect(result.error).toMatch(/ETIMEDOUT|timeout/i);
  });

  it('logs outcomes through a pino logger, without the SMTP password', async () => {
    const lines: string[] = [];
    const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
    const server = await peer({ auth: { user: 'hellio', pass: 'right-pass' }, onRcpt: (a) => (a.startsWith('no@') ? refuse(550, 'No') : null) });
    const smtp = provider(server.url({ user: 'hellio', pass: 'right-pass' }), { logger });
    expect((await smtp.send(email())).ok).toBe(true);
    expect((await smtp.send(email({ to: ['no@dest.test'] }))).ok).toBe(false);
    const records = lines.map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(records.map((r) => r.msg)).toEqual(['SMTP send accepted', 'SMTP send failed']);
    expect(lines.join('\n')).not.toContain('right-pass');
  });

  it('retries on wrong credentials instead of bouncing the message', async () => {
    const server = await peer({ auth: { user: 'hellio', pass: 'right' } });
    const result = await provider(server.url({ user: 'hellio', pass: 'wrong' })).send(email());
    expect(result).toMatchObject({ ok: false, retryable: true, responseCode: 535 });
    if (result.ok) throw new Error('unreachable');
    expect(result.error).not.toContain('wrong');
  });

  it('refuses, without sending, a header the builder owns and a DKIM key that is not a key', async () => {
    const server = await peer();
    const smtp = provider(server.url());
    expect(await smtp.send(email({ headers: { 'Message-ID': '<forged@example.test>' } }))).toMatchObject({ ok: false, retryable: false });
    expect(await smtp.send(email({ headers: { 'X-Evil': 'a\r\nBcc: x@y.test' } }))).toMatchObject({ ok: false, retryable: false });
    const badKey = { domainName: 'example.test', keySelector: 's1', privateKey: 'not a key' };
    expect(await smtp.send(email({ dkim: badKey }))).toMatchObject({ ok: false, retryable: false });
    expect(server.received).toHaveLength(0);
  });

  it('sends through a pool of connections, and close() hangs them up', async () => {
    const server = await peer();
    const smtp = provider(server.url(), { maxConnections: 2, maxMessages: 3 });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => smtp.send(email({ subject: `n${i}` }))));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(server.received).toHaveLength(8);
    expect(server.openConnections()).toBeGreaterThan(0);
    expect(server.openConnections()).toBeLessThanOrEqual(2);

    await smtp.close();
    await until(() => server.openConnections() === 0, 'the pool to hang up');
    expect(await smtp.send(email())).toMatchObject({ ok: false, retryable: true });
  });

  it('close() lets a message in flight finish', async () => {
    const server = await peer();
    const smtp = provider(server.url());
    const sending = smtp.send(email());
    await smtp.close();
    expect((await sending).ok).toBe(true);
    expect(server.received).toHaveLength(1);
  });

  it('close() does not wait out a send stuck on a mute server (a stopping process would wait until its deadline)', async () => {
    const sockets = new Set<Socket>();
    const mute = createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
    cleanup.push(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => mute.close(() => resolve()));
    });
    const address = mute.address();
    if (!address || typeof address === 'string') throw new Error('not listening');
    // The greeting would be awaited for ten minutes: only close() can end this send.
    const smtp = provider(`smtp://127.0.0.1:${address.port}`, { connectionTimeoutMs: 600_000 });
    let settled = false;
    const sending = smtp.send(email()).finally(() => (settled = true));
    await until(() => sockets.size > 0, 'the connection');
    await smtp.close();
    // close() is back while the send still waits for a greeting that will not come…
    expect(settled).toBe(false);
    // …which ends, as retryable, when the connection does.
    for (const sock of sockets) sock.destroy();
    expect(await sending).toMatchObject({ ok: false, retryable: true });
  });

  it('also works unpooled', async () => {
    const server = await peer();
    const smtp = provider(server.url(), { pool: false });
    expect((await smtp.send(email())).ok).toBe(true);
    expect((await smtp.send(email())).ok).toBe(true);
    expect(server.received).toHaveLength(2);
  });
});

describe('SmtpProvider DKIM', () => {
  const key = generateDkimKey();
  const selector = 'hellio1';
  const domain = 'example.test';

  async function signedSetup(): Promise<{ server: SmtpPeer; zone: DnsTestServer; smtp: SmtpProvider }> {
    const zone = await dns();
    for (const r of dkimRecords(domain, selector, key.publicKeyBase64, { spfInclude: 'spf.relay.test' })) {
      if (r.type === 'TXT' || r.type === 'CNAME') zone.add({ type: r.type, name: r.name, value: r.value });
    }
    zone.add({ type: 'TXT', name: 'spf.relay.test', value: 'v=spf1 ip4:127.0.0.1 -all' });
    const server = await peer();
    return { server, zone, smtp: provider(server.url()) };
  }

  function signed(over: Partial<EmailSend> = {}): EmailSend {
    return email({
      subject: 'Signed – Grüße',
      // A long line and non-ASCII text, so the body goes out quoted-printable and soft-wrapped.
      text: `Hallo ${'wörter '.repeat(40)}\nsecond line\n\n`,
      html: '<p>signed</p>',
      cc: ['carol@dest.test'],
      headers: { 'X-Campaign': 'spring', 'List-Unsubscribe': '<https://example.test/u/1>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      attachments: [{ filename: 'a.bin', content: Buffer.from([1, 2, 3, 250]).toString('base64') }],
      dkim: { domainName: domain, keySelector: selector, privateKey: key.privateKeyPem },
      ...over,
    });
  }

  it('signs so that a receiver verifies it against the published record (and SPF passes through the include)', async () => {
    const { server, zone, smtp } = await signedSetup();
    expect((await smtp.send(signed())).ok).toBe(true);
    const got = server.received[0]!;
    expect(got.raw.toString('latin1')).toMatch(/^DKIM-Signature: /m);
    // One-click unsubscribe (RFC 8058) needs both List-Unsubscribe headers under the signature.
    const signedHeaders = /\bh=([^;]+);/.exec(parseMime(got.raw).header('dkim-signature') ?? '')?.[1]?.replace(/\s+/g, '').split(':');
    expect(signedHeaders).toEqual(expect.arrayContaining(['from', 'to', 'cc', 'subject', 'date', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post']));

    const res = await authenticate(got.raw, { resolver: zone.resolver, sender: got.from, ip: '127.0.0.1', helo: 'client.test', mta: 'mx.test', disableBimi: true });
    expect(res.dkim.results).toHaveLength(1);
    expect(res.dkim.results[0]).toMatchObject({ signingDomain: domain, selector, status: { result: 'pass', aligned: domain } });
    expect(res.spf && res.spf.status.result).toBe('pass');
  });

  it('fails verification once the body is changed after signing', async () => {
    const { server, zone, smtp } = await signedSetup();
    await smtp.send(signed({ text: 'Pay invoice 1000 to account A.', html: null, attachments: [] }));
    const raw = server.received[0]!.raw.toString('latin1');
    expect(raw).toContain('account A.');
    const tampered = Buffer.from(raw.replace('account A.', 'account B.'), 'latin1');

    const ok = await authenticate(server.received[0]!.raw, { resolver: zone.resolver, disableArc: true, disableBimi: true, disableDmarc: true });
    expect(ok.dkim.results[0]!.status.result).toBe('pass');
    const res = await authenticate(tampered, { resolver: zone.resolver, disableArc: true, disableBimi: true, disableDmarc: true });
    expect(res.dkim.results[0]!.status.result).not.toBe('pass');
    expect(res.dkim.results[0]!.status.comment).toMatch(/body hash/);
  });

  it('fails verification against another key under the same selector', async () => {
    const { server, zone, smtp } = await signedSetup();
    zone.replace(`${selector}._domainkey.${domain}`, 'TXT', dkimRecords(domain, selector, generateDkimKey().publicKeyBase64, {})[0]!.value);
    await smtp.send(signed());
    const res = await authenticate(server.received[0]!.raw, { resolver: zone.resolver, disableArc: true, disableBimi: true, disableDmarc: true });
    expect(res.dkim.results[0]!.status.result).toBe('fail');
  });

  it('leaves a message unsigned when no key is given', async () => {
    const { server, zone, smtp } = await signedSetup();
    await smtp.send(signed({ dkim: null }));
    expect(server.received[0]!.raw.toString('latin1')).not.toMatch(/^DKIM-Signature:/im);
    const res = await authenticate(server.received[0]!.raw, { resolver: zone.resolver, disableArc: true, disableBimi: true, disableDmarc: true });
    expect(res.dkim.results[0]!.status.result).toBe('none');
  });
});

describe('SmtpProvider connections', () => {
  /** smtp-server with its built-in self-signed certificate: implicit TLS, or STARTTLS offered. */
  async function tlsPeer(secure: boolean): Promise<{ port: number; received: string[]; secured: boolean[] }> {
    const received: string[] = [];
    const secured: boolean[] = [];
    const server = new SMTPServer({
      secure,
      authOptional: true,
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          received.push(Buffer.concat(chunks).toString('utf8'));
          secured.push(session.secure);
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return { port: (server.server.address() as AddressInfo).port, received, secured };
  }

  /** The client sockets (remote port = the server's) on which Nagle was turned off, while `fn` runs. */
  async function noDelayClients(fn: () => Promise<void>): Promise<number[]> {
    const remotePorts: number[] = [];
    const original = Socket.prototype.setNoDelay;
    const spy = vi.spyOn(Socket.prototype, 'setNoDelay').mockImplementation(function (this: Socket, on?: boolean) {
      // Recorded once connected: the remote port tells the client's end from the server's.
      if (on !== false) this.once('connect', () => remotePorts.push(this.remotePort!));
      return original.call(this, on);
    });
    try {
      await fn();
    } finally {
      spy.mockRestore();
    }
    return remotePorts;
  }

  it('sends over implicit TLS (smtps://) and STARTTLS on its own TCP_NODELAY connections', async () => {
    for (const secure of [true, false]) {
      const server = await tlsPeer(secure);
      const clients = await noDelayClients(async () => {
        const smtp = provider(`${secure ? 'smtps' : 'smtp'}://127.0.0.1:${server.port}`, { tls: { rejectUnauthorized: false } });
        const results = await Promise.all([1, 2, 3].map((i) => smtp.send(email({ subject: `over TLS ${i}` }))));
        expect(results.map((r) => r.ok)).toEqual([true, true, true]);
      });
      expect(server.received).toHaveLength(3);
      // Both ways the conversation was encrypted: smtps from the first byte, smtp after STARTTLS.
      expect(server.secured).toEqual([true, true, true]);
      expect(clients.length).toBeGreaterThan(0);
      expect(clients.every((p) => p === server.port)).toBe(true);
    }
  });

  it('leaves Nagle on when told to (noDelay: false), and still delivers', async () => {
    const server = await peer();
    const port = Number(new URL(server.url()).port);
    const clients = await noDelayClients(async () => {
      const smtp = provider(server.url(), { noDelay: false });
      expect((await smtp.send(email())).ok).toBe(true);
    });
    expect(clients.filter((p) => p === port)).toEqual([]);
  });

  it('hands nodemailer only a few messages at once, and gives up unsent (retryable) one that waited too long', async () => {
    let hold: Promise<void> = Promise.resolve();
    let answered = 0;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => void hold.then(() => (answered++, callback())));
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.server.address() as AddressInfo).port;
    let open!: () => void;
    const gate = () => (hold = new Promise<void>((r) => (open = r)));
    // One connection: ten messages handed to nodemailer at a time; the others wait here, 300 ms at most.
    const smtp = provider(`smtp://127.0.0.1:${port}`, { maxConnections: 1, queueTimeoutMs: 300 });

    const wave = (label: string) => Array.from({ length: 11 }, (_, i) => smtp.send(email({ subject: `${label} ${i}` })));
    // An eleventh message gets its turn when one of the first ten is done.
    gate();
    const first = wave('turn');
    await new Promise((r) => setTimeout(r, 50));
    // The pool's load as /metrics shows it: ten in nodemailer's hands, one waiting here.
    expect(smtp.state()).toEqual({ kind: 'smtp', link: null, inFlight: 10, queued: 1, lastError: null });
    open();
    expect((await Promise.all(first)).every((r) => r.ok)).toBe(true);
    expect(smtp.state()).toMatchObject({ inFlight: 0, queued: 0 });

    // While the server holds the first ten past 300 ms, the eleventh is given up without being sent.
    gate();
    const second = wave('held');
    const last = await second[10]!;
    expect(last).toMatchObject({ ok: false, retryable: true, error: expect.stringMatching(/waited 300 ms/) });
    open();
    expect((await Promise.all(second.slice(0, 10))).every((r) => r.ok)).toBe(true);
    expect(answered).toBe(21);
  });

  it('fails retryable when the server cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const smtp = provider(`smtp://127.0.0.1:${port}`);
    const r = await smtp.send(email());
    expect(r).toMatchObject({ ok: false, retryable: true });
  });
});
