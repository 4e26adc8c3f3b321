import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsLookup } from '../../src/modules/email-verify/dns-checks.ts';
import { EmailVerifier, type EmailVerifySettings } from '../../src/modules/email-verify/verifier.ts';
import { type DnsTestServer, startDnsServer, type TestRecord } from '../support/dns-server.ts';
import { type MailHosts, startMailHosts } from '../support/mail-hosts.ts';

/**
 * The verifier against a real DNS server (dns2) and real SMTP servers (smtp-server, plus
 * scripted ones for the misbehaving cases), through node's own resolver and sockets.
 */

const MAILBOXES = new Set(['alice', 'bob', 'admin', 'jörg']);
const NO_SUCH_USER = { code: 550, message: '5.1.1 No such user here' };

let dns: DnsTestServer;
let mail: MailHosts;
let silentDns: UdpSocket;
let silentDnsPort: number;

function lookupVia(server: string, timeoutMs = 1000): DnsLookup {
  const r = new Resolver({ timeout: timeoutMs, tries: 1 });
  r.setServers([server]);
  return { resolveMx: (n) => r.resolveMx(n), resolve4: (n) => r.resolve4(n), resolve6: (n) => r.resolve6(n) };
}

function verifier(overrides: Partial<EmailVerifySettings> = {}, lookup = lookupVia(`127.0.0.1:${dns.port}`)): EmailVerifier {
  return new EmailVerifier(lookup, {
    smtpByDefault: false,
    probe: { port: mail.port, heloName: 'verify.hellio.test', mailFrom: 'probe@hellio.test', timeoutMs: 500 },
    allowPrivateHosts: true,
    cacheTtlMs: 60_000,
    dnsTimeoutMs: 1000,
    ...overrides,
  });
}

const mx = (domain: string, host: string, pref = 10): TestRecord[] => [{ type: 'MX', name: domain, value: `${pref} ${host}` }];
const a = (name: string, address: string): TestRecord => ({ type: 'A', name, value: address });

beforeAll(async () => {
  mail = await startMailHosts({
    mailboxes: { smtp: { onRcpt: (addr) => (MAILBOXES.has(addr.split('@')[0]!) ? null : NO_SUCH_USER) } },
    rejectAll: { smtp: { onRcpt: () => NO_SUCH_USER } },
    catchAll: { smtp: {} },
    greylist: { smtp: { onRcpt: () => ({ code: 451, message: '4.7.1 Greylisted, try again later' }) } },
    asciiOnly: { smtp: { hideSmtpUtf8: true } },
    silent: { script: { greeting: null } },
    hangsAtRcpt: { script: { greeting: '220 hang.test ESMTP', rcpt: () => null } },
    hangsAtSecondRcpt: { script: { greeting: '220 half.test ESMTP', rcpt: (addr) => (addr.startsWith('alice@') ? '250 2.1.5 ok' : null) } },
    blocksUs: { script: { greeting: '220 strict.test ESMTP', mail: '554 5.7.1 Your IP is listed' } },
    // Each reply comes within the 500 ms step limit, but four of them pass the probe's 1.5 s deadline.
    slow: { script: { greeting: '220 slow.test ESMTP', delayMs: 400 } },
    oldServer: { script: { greeting: '220 old.test SMTP', ehlo: '502 5.5.2 Command not recognized', rcpt: () => '250 ok' } },
    nothing: { closed: true },
  });
  const h = mail.hosts;
  dns = await startDnsServer([
    ...mx('accept.test', 'mx.accept.test'),
    a('mx.accept.test', h.mailboxes!.address),
    ...mx('reject.test', 'mx.reject.test'),
    a('mx.reject.test', h.rejectAll!.address),
    ...mx('catchall.test', 'mx.catchall.test'),
    a('mx.catchall.test', h.catchAll!.address),
    ...mx('greylist.test', 'mx.greylist.test'),
    a('mx.greylist.test', h.greylist!.address),
    ...mx('ascii-only.test', 'mx.ascii-only.test'),
    a('mx.ascii-only.test', h.asciiOnly!.address),
    ...mx('silent.test', 'mx.silent.test'),
    a('mx.silent.test', h.silent!.address),
    ...mx('hang.test', 'mx.hang.test'),
    a('mx.hang.test', h.hangsAtRcpt!.address),
    ...mx('half.test', 'mx.half.test'),
    a('mx.half.test', h.hangsAtSecondRcpt!.address),
    ...mx('strict.test', 'mx.strict.test'),
    a('mx.strict.test', h.blocksUs!.address),
    ...mx('old.test', 'mx.old.test'),
    a('mx.old.test', h.oldServer!.address),
    ...mx('slow.test', 'mx.slow.test'),
    a('mx.slow.test', h.slow!.address),
    ...mx('dead.test', 'mx.dead.test'),
    a('mx.dead.test', h.nothing!.address),
    // The best MX is dead; the second one answers.
    ...mx('fallback.test', 'mx1.fallback.test', 10),
    ...mx('fallback.test', 'mx2.fallback.test', 20),
    a('mx1.fallback.test', h.nothing!.address),
    a('mx2.fallback.test', h.mailboxes!.address),
    // No MX: the domain is its own mail host (RFC 5321 §5.1).
    a('implicit.test', h.mailboxes!.address),
    { type: 'AAAA', name: 'v6only.test', value: '2001:db8::25' },
    { type: 'MX', name: 'nullmx.test', value: '0 .' },
    { type: 'TXT', name: 'nomail.test', value: 'v=spf1 -all' },
    ...mx('mailinator.com', 'mx.catchall.test'),
    ...mx('gmail.com', 'mx.accept.test'),
    ...mx('cache.test', 'mx.accept.test'),
    ...mx('private.test', 'mx.accept.test'),
  ]);
  // A resolver that takes queries and never answers them.
  silentDns = createSocket('udp4');
  await new Promise<void>((resolve) => silentDns.bind(0, '127.0.0.1', () => resolve()));
  silentDnsPort = silentDns.address().port;
});

afterAll(async () => {
  await dns?.close();
  await mail?.close();
  silentDns?.close();
});

describe('syntax, lists and DNS (no probe)', () => {
  it('answers deliverable for a well-formed address whose domain has MX hosts', async () => {
    const v = await verifier().verify('alice@accept.test', { smtp: false });
    expect(v).toEqual({
      email: 'alice@accept.test',
      result: 'deliverable',
      reason: 'domain_accepts_mail',
      checks: { syntax: true, domain: true, mx: true, disposable: false, role: false, free: false, smtp: null, catch_all: null },
      mx_hosts: ['mx.accept.test'],
      suggestion: null,
    });
    // Without the probe nothing connects.
    expect(mail.hosts.mailboxes!.rcpts).not.toContain('alice@accept.test');
  });

  it('answers undeliverable for bad syntax, and runs nothing else', async () => {
    const v = await verifier().verify('  alice..smith@accept.test ', { smtp: true });
    expect(v).toEqual({
      email: 'alice..smith@accept.test',
      result: 'undeliverable',
      reason: 'invalid_syntax',
      checks: { syntax: false, domain: null, mx: null, disposable: null, role: null, free: null, smtp: null, catch_all: null },
      mx_hosts: [],
      suggestion: null,
    });
  });

  it('answers undeliverable for a domain that does not exist, with a typo suggestion', async () => {
    const v = await verifier().verify('alice@gmial.com', { smtp: true });
    expect(v).toMatchObject({
      result: 'undeliverable',
      reason: 'domain_not_found',
      checks: { syntax: true, domain: false, mx: false, smtp: null },
      mx_hosts: [],
      suggestion: 'alice@gmail.com',
    });
  });

  it('answers undeliverable for a null MX (RFC 7505) without probing', async () => {
    const v = await verifier().verify('alice@nullmx.test', { smtp: true });
    expect(v).toMatchObject({ result: 'undeliverable', reason: 'null_mx', checks: { domain: true, mx: false, smtp: null }, mx_hosts: [] });
  });

  it('answers undeliverable for a domain with neither MX nor address records', async () => {
    const v = await verifier().verify('alice@nomail.test', { smtp: false });
    expect(v).toMatchObject({ result: 'undeliverable', reason: 'no_mail_server', checks: { domain: true, mx: false } });
  });

  it('falls back to the implicit MX: an A record, or only an AAAA record', async () => {
    expect(await verifier().verify('alice@implicit.test', { smtp: false })).toMatchObject({
      result: 'deliverable',
      checks: { domain: true, mx: true },
      mx_hosts: ['implicit.test'],
    });
    expect(await verifier().verify('alice@v6only.test', { smtp: false })).toMatchObject({
      result: 'deliverable',
      checks: { domain: true, mx: true },
      mx_hosts: ['v6only.test'],
    });
  });

  it('flags disposable domains as risky', async () => {
    const v = await verifier().verify('someone@mailinator.com', { smtp: false });
    expect(v).toMatchObject({ result: 'risky', reason: 'disposable', checks: { disposable: true, free: true, mx: true } });
  });

  it('flags free providers without holding it against the address', async () => {
    const v = await verifier().verify('alice@gmail.com', { smtp: false });
    expect(v).toMatchObject({ result: 'deliverable', checks: { free: true, disposable: false, role: false }, suggestion: null });
  });

  it('flags role accounts as risky', async () => {
    const v = await verifier().verify('Postmaster@accept.test', { smtp: false });
    expect(v).toMatchObject({ result: 'risky', reason: 'role_account', checks: { role: true } });
  });

  it('verifies internationalised domains in their ASCII form and shows them in Unicode', async () => {
    // The scripted host records RCPT TO as it came over the wire (smtp-server would decode it).
    dns.add(...mx('xn--bcher-kva.test', 'mx.old.test'));
    const v = await verifier().verify('alice@BÜCHER.test', { smtp: true });
    expect(v).toMatchObject({ email: 'alice@bücher.test', checks: { syntax: true, domain: true, mx: true, smtp: true }, mx_hosts: ['mx.old.test'] });
    expect(mail.hosts.oldServer!.rcpts).toContain('alice@xn--bcher-kva.test');
  });

  it('answers unknown for an address literal, without DNS or probe', async () => {
    const v = await verifier().verify('alice@[127.0.55.10]', { smtp: true });
    expect(v).toMatchObject({ result: 'unknown', reason: 'address_literal', checks: { syntax: true, domain: null, mx: null, smtp: null } });
  });

  it('answers unknown when the resolver does not answer, and does not cache that', async () => {
    const v = verifier({}, lookupVia(`127.0.0.1:${silentDnsPort}`, 200));
    const r = await v.verify('alice@accept.test', { smtp: true });
    expect(r).toMatchObject({ result: 'unknown', reason: 'dns_unavailable', checks: { syntax: true, domain: null, mx: null, smtp: null } });
  });
});

describe('the SMTP probe', () => {
  it('finds an existing mailbox and learns the server is not a catch-all', async () => {
    const before = mail.hosts.mailboxes!.rcpts.length;
    const v = await verifier().verify('bob@accept.test', { smtp: true });
    expect(v).toMatchObject({ result: 'deliverable', reason: 'mailbox_exists', checks: { smtp: true, catch_all: false } });
    const asked = mail.hosts.mailboxes!.rcpts.slice(before);
    expect(asked[0]).toBe('bob@accept.test');
    // The second RCPT is a random address of the same domain.
    expect(asked).toHaveLength(2);
    expect(asked[1]).toMatch(/^[a-z0-9]{18,}@accept\.test$/);
    // RCPT only: nothing was ever sent.
    expect(mail.hosts.mailboxes!.peer!.received).toEqual([]);
  });

  it('answers undeliverable when the server refuses the mailbox (550)', async () => {
    const v = await verifier().verify('nobody@reject.test', { smtp: true });
    expect(v).toMatchObject({ result: 'undeliverable', reason: 'mailbox_not_found', checks: { smtp: false, catch_all: false }, mx_hosts: ['mx.reject.test'] });
  });

  it('answers risky for a catch-all server', async () => {
    const v = await verifier().verify('anyone@catchall.test', { smtp: true });
    expect(v).toMatchObject({ result: 'risky', reason: 'catch_all', checks: { smtp: true, catch_all: true } });
  });

  it('answers unknown on a temporary refusal (451 greylisting)', async () => {
    const v = await verifier().verify('alice@greylist.test', { smtp: true });
    expect(v).toMatchObject({ result: 'unknown', reason: 'smtp_temporary_failure', checks: { smtp: null, catch_all: null } });
  });

  it('answers unknown when the server never greets', async () => {
    const v = await verifier().verify('alice@silent.test', { smtp: true });
    expect(v).toMatchObject({ result: 'unknown', reason: 'smtp_timeout', checks: { smtp: null } });
  });

  it('answers unknown when the server stops answering at RCPT', async () => {
    const v = await verifier().verify('alice@hang.test', { smtp: true });
    expect(v).toMatchObject({ result: 'unknown', reason: 'smtp_timeout', checks: { smtp: null, catch_all: null } });
    expect(mail.hosts.hangsAtRcpt!.verbs).toEqual(expect.arrayContaining(['EHLO', 'MAIL', 'RCPT']));
    expect(mail.hosts.hangsAtRcpt!.verbs).not.toContain('DATA');
  });

  it('keeps the mailbox answer when only the catch-all question times out', async () => {
    const v = await verifier().verify('alice@half.test', { smtp: true });
    expect(v).toMatchObject({ result: 'deliverable', reason: 'mailbox_exists', checks: { smtp: true, catch_all: null } });
  });

  it('gives up on a server that answers every step just in time, once the whole probe runs too long', async () => {
    const v = await verifier().verify('alice@slow.test', { smtp: true });
    expect(v).toMatchObject({ result: 'unknown', reason: 'smtp_timeout', checks: { smtp: null } });
    expect(mail.hosts.slow!.verbs.slice(0, 2)).toEqual(['EHLO', 'MAIL']);
  });

  it('answers unknown when the server refuses us rather than the mailbox (554 at MAIL FROM)', async () => {
    const v = await verifier().verify('alice@strict.test', { smtp: true });
    expect(v).toMatchObject({ result: 'unknown', reason: 'smtp_refused', checks: { smtp: null } });
    expect(mail.hosts.blocksUs!.rcpts).toEqual([]);
    expect(mail.hosts.blocksUs!.verbs).toContain('QUIT');
  });

  it('falls back to HELO for a server that does not know EHLO', async () => {
    const v = await verifier().verify('alice@old.test', { smtp: true });
    expect(v).toMatchObject({ result: 'risky', reason: 'catch_all', checks: { smtp: true, catch_all: true } });
    expect(mail.hosts.oldServer!.verbs.slice(0, 3)).toEqual(['EHLO', 'HELO', 'MAIL']);
  });

  it('answers unknown when no mail host takes a connection', async () => {
    const v = await verifier().verify('alice@dead.test', { smtp: true });
    expect(v).toMatchObject({ result: 'unknown', reason: 'smtp_unreachable', checks: { smtp: null } });
  });

  it('moves on to the next MX when the best one refuses the connection', async () => {
    const v = await verifier().verify('alice@fallback.test', { smtp: true });
    expect(v).toMatchObject({ result: 'deliverable', reason: 'mailbox_exists', mx_hosts: ['mx1.fallback.test', 'mx2.fallback.test'] });
  });

  it('probes the implicit MX too', async () => {
    const v = await verifier().verify('nobody@implicit.test', { smtp: true });
    expect(v).toMatchObject({ result: 'undeliverable', reason: 'mailbox_not_found', mx_hosts: ['implicit.test'] });
  });

  it('asks with SMTPUTF8 for a UTF-8 local part, and answers unknown where the server lacks it', async () => {
    expect(await verifier().verify('jörg@accept.test', { smtp: true })).toMatchObject({ result: 'deliverable', reason: 'mailbox_exists' });
    expect(mail.hosts.mailboxes!.rcpts).toContain('jörg@accept.test');
    expect(await verifier().verify('jörg@ascii-only.test', { smtp: true })).toMatchObject({ result: 'unknown', reason: 'smtputf8_unsupported' });
    expect(mail.hosts.asciiOnly!.rcpts).toEqual([]);
  });

  it('does not connect to loopback or private addresses unless allowed', async () => {
    const before = mail.hosts.mailboxes!.rcpts.length;
    const v = await verifier({ allowPrivateHosts: false }).verify('alice@private.test', { smtp: true });
    expect(v).toMatchObject({ result: 'unknown', reason: 'smtp_unreachable', checks: { mx: true, smtp: null } });
    expect(mail.hosts.mailboxes!.rcpts.length).toBe(before);
  });

  it('probes a role account and still calls it risky', async () => {
    const v = await verifier().verify('admin@accept.test', { smtp: true });
    expect(v).toMatchObject({ result: 'risky', reason: 'role_account', checks: { role: true, smtp: true, catch_all: false } });
  });
});

describe('per-domain caching', () => {
  it('remembers a catch-all finding and skips the random RCPT next time', async () => {
    const v = verifier();
    const rcpts = mail.hosts.catchAll!.rcpts;
    rcpts.length = 0;
    dns.add(...mx('catchall2.test', 'mx.catchall.test'));
    expect(await v.verify('one@catchall2.test', { smtp: true })).toMatchObject({ reason: 'catch_all', checks: { catch_all: true } });
    expect(rcpts).toHaveLength(2);
    expect(await v.verify('two@catchall2.test', { smtp: true })).toMatchObject({ reason: 'catch_all', checks: { catch_all: true } });
    expect(rcpts.slice(2)).toEqual(['two@catchall2.test']);
  });

  it('answers from cached DNS within the time to live, and asks again with caching off', async () => {
    const cached = verifier();
    const uncached = verifier({ cacheTtlMs: 0 });
    expect(await cached.verify('alice@cache.test', { smtp: false })).toMatchObject({ result: 'deliverable', mx_hosts: ['mx.accept.test'] });
    expect(await uncached.verify('alice@cache.test', { smtp: false })).toMatchObject({ result: 'deliverable' });
    dns.replace('cache.test', 'MX', '0 .');
    expect(await cached.verify('alice@cache.test', { smtp: false })).toMatchObject({ result: 'deliverable', mx_hosts: ['mx.accept.test'] });
    expect(await uncached.verify('alice@cache.test', { smtp: false })).toMatchObject({ result: 'undeliverable', reason: 'null_mx' });
  });
});
