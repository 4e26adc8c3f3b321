/**
 * STARTTLS on the inbound SMTP server (HELLIO_SMTP_INBOUND_TLS_CERT / _KEY): configured, it is
 * offered and a sender that insists on TLS (nodemailer's requireTLS, verifying the certificate
 * against its own CA) delivers over it; not configured, it is not offered and such a sender
 * gives up. The settings are checked at start: both or neither, readable, a key that belongs
 * to the certificate. Certificates are made by openssl for the test.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import type { InboundMailServer } from '../../src/providers/email/inbound-mail.ts';
import { BACKENDS, bearer, createHarness, type Harness } from '../support/harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'hellio-starttls-'));
/** A self-signed certificate for localhost and 127.0.0.1, and its key: file paths. */
function selfSigned(name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}
const mine = selfSigned('mine');
const other = selfSigned('other');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('STARTTLS settings, checked at start', () => {
  const env = (cert?: string, key?: string) => ({ ...(cert ? { HELLIO_SMTP_INBOUND_TLS_CERT: cert } : {}), ...(key ? { HELLIO_SMTP_INBOUND_TLS_KEY: key } : {}) });

  it('neither: no STARTTLS; both: the PEM texts', () => {
    expect(loadConfig(env()).smtpInboundTls).toBeNull();
    expect(loadConfig(env(mine.cert, mine.key)).smtpInboundTls).toEqual({ cert: readFileSync(mine.cert, 'utf8'), key: readFileSync(mine.key, 'utf8') });
  });

  it('refuses one without the other, a file it cannot read, and a key of another certificate', () => {
    expect(() => loadConfig(env(mine.cert))).toThrow(ConfigError);
    expect(() => loadConfig(env(undefined, mine.key))).toThrow(/go together/);
    expect(() => loadConfig(env(join(dir, 'missing.crt'), mine.key))).toThrow(/HELLIO_SMTP_INBOUND_TLS_CERT: cannot read .*missing\.crt \(ENOENT\)/);
    expect(() => loadConfig(env(mine.cert, other.key))).toThrow(/not a PEM certificate and its key/);
    expect(() => loadConfig(env(mine.key, mine.cert))).toThrow(ConfigError);
  });
});

describe.each(BACKENDS)('the inbound SMTP server with and without STARTTLS on %s', (backend) => {
  const harnesses: Harness[] = [];
  const servers: InboundMailServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.close();
    for (const h of harnesses) await h.close();
  });

  /** An app on its own database (with or without the TLS settings), an account with a verified domain, and its inbound server listening. */
  async function inboundServer(tls: boolean) {
    const h = await createHarness(backend, { env: tls ? { HELLIO_SMTP_INBOUND_TLS_CERT: mine.cert, HELLIO_SMTP_INBOUND_TLS_KEY: mine.key } : {} });
    harnesses.push(h);
    const a = await h.account();
    const d = (await h.app.inject({ method: 'POST', url: '/domains', headers: bearer(a.key), payload: { domain: `tls-${backend}.test` } })).json();
    // Verified as POST /domains/{id}/verify would once DNS has the record (mail-inbound.test.ts covers that path).
    await h.rt.store.domains.markVerified(d.id, Date.now());
    const server = h.rt.createInboundMail();
    servers.push(server);
    const port = await server.listen(0, '127.0.0.1');
    return { h, a, port };
  }

  // A sender that refuses to go on in clear, and trusts only the test's certificate.
  const insisting = (port: number) =>
    nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, requireTLS: true, tls: { ca: readFileSync(mine.cert, 'utf8'), servername: 'localhost' }, logger: false });

  it('offers STARTTLS and stores what arrives over it', async () => {
    const { h, a, port } = await inboundServer(true);
    const info = await insisting(port).sendMail({ from: 'ada@sender.test', to: `inbox@tls-${backend}.test`, subject: 'over TLS', text: 'sealed on the way' });
    expect(info.response).toMatch(/^250/);
    const list = (await h.app.inject({ method: 'GET', url: '/emails/inbound', headers: bearer(a.key) })).json();
    expect(list.data.map((m: { subject: string; text: string }) => [m.subject, m.text.trim()])).toEqual([['over TLS', 'sealed on the way']]);
  });

  it('without the settings does not offer it: a sender that requires TLS gives up, a plain one still delivers', async () => {
    const { h, a, port } = await inboundServer(false);
    const err = await insisting(port)
      .sendMail({ from: 'ada@sender.test', to: `inbox@tls-${backend}.test`, subject: 'over TLS', text: 'no' })
      .catch((e: Error & { code?: string }) => e);
    expect(err).toMatchObject({ code: 'ETLS' });
    await nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true, logger: false }).sendMail({ from: 'ada@sender.test', to: `inbox@tls-${backend}.test`, subject: 'in clear', text: 'plain' });
    const list = (await h.app.inject({ method: 'GET', url: '/emails/inbound', headers: bearer(a.key) })).json();
    expect(list.data.map((m: { subject: string }) => m.subject)).toEqual(['in clear']);
  });
});
