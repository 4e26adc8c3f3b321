import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Resend } from 'resend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { leafParts, parseMime, type SmtpPeer, startSmtpPeer } from '../support/smtp-peer.ts';

/**
 * Resend's attachments given by `path`: fetched by the server at acceptance from a real HTTP
 * server on loopback (HELLIO_ATTACHMENTS_ALLOW_PRIVATE), within the body's size and the fetch
 * time limit, each redirect vetted again; delivered over SMTP to a local peer; both backends.
 */

const REPORT = Buffer.from('quarter,revenue\nq1,10\nq2,12\n');
const BODY_LIMIT = 8192;
// The bytes one request may fetch: what could have come inline, base64 in a body of BODY_LIMIT.
const FETCH_LIMIT = (BODY_LIMIT * 3) / 4;

/** A file server: the routes below, and every request it saw. */
function startFileServer(): Promise<{ server: Server; url: (path: string) => string; hits: string[] }> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url!);
    const path = req.url!;
    if (path === '/files/report.csv') return res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' }).end(REPORT);
    if (path === '/download?id=7') return res.writeHead(200, { 'content-type': 'application/pdf', 'content-disposition': 'attachment; filename="invoice-7.pdf"' }).end('%PDF-1.4 seven');
    if (path === '/go') return res.writeHead(302, { location: '/files/report.csv' }).end();
    if (path === '/loop') return res.writeHead(302, { location: '/loop' }).end();
    if (path === '/to-file-scheme') return res.writeHead(302, { location: 'file:///etc/passwd' }).end();
    if (path === '/big') return res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.alloc(FETCH_LIMIT + 1, 1));
    if (path === '/big-chunked') {
      // No Content-Length: the limit must be found while reading.
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      for (let i = 0; i < 8; i++) res.write(Buffer.alloc(1024, 2));
      return res.end();
    }
    if (path === '/') return res.writeHead(200, { 'content-type': 'text/plain' }).end('the root names no file');
    if (path === '/half') return res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(Buffer.alloc(FETCH_LIMIT / 2 + 100, 3));
    if (path === '/slow') return; // never answers
    res.writeHead(404).end('no such file');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, hits, url: (p) => `http://127.0.0.1:${(server.address() as AddressInfo).port}${p}` })),
  );
}

describe.each(BACKENDS)('Resend attachments by path on %s', (backend) => {
  let h: Harness;
  let smtp: SmtpPeer;
  let files: Awaited<ReturnType<typeof startFileServer>>;
  let a: TestAccount;
  let resend: Resend;

  beforeAll(async () => {
    smtp = await startSmtpPeer();
    files = await startFileServer();
    h = await createHarness(backend, {
      env: {
        HELLIO_SMTP_URL: smtp.url(),
        HELLIO_ATTACHMENTS_ALLOW_PRIVATE: 'true',
        HELLIO_EMAIL_BODY_LIMIT: String(BODY_LIMIT),
        HELLIO_ATTACHMENT_FETCH_TIMEOUT_MS: '700',
      },
    });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    a = await h.account();
    resend = new Resend(a.key, { baseUrl: `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}/resend` });
  });
  afterAll(async () => {
    await h?.close();
    await smtp?.close();
    files?.server.closeAllConnections();
    await new Promise((r) => files?.server.close(r));
  });

  const deliver = () => h.rt.createWorker({ pollMs: 10 }).drain();
  const arrived = (subject: string) => smtp.received.filter((m) => parseMime(m.raw).header('subject') === subject);
  const unique = (what: string) => `${what} ${Math.random().toString(36).slice(2, 10)}`;
  const email = (subject: string) => ({ from: 'news@example.com', to: 'paths@example.org', subject, text: 'see attached' });
  const emailsOf = async (key: string) => (await h.app.inject({ method: 'GET', url: '/messages?channel=email', headers: bearer(key) })).json().data;

  it('fetches the files at acceptance, following a redirect, and they arrive byte for byte with the names and types the server gave', async () => {
    const subject = unique('Paths');
    const { data, error } = await resend.emails.send({
      ...email(subject),
      attachments: [{ path: files.url('/go') }, { path: files.url('/download?id=7') }],
    });
    expect(error).toBeNull();
    expect(data).toEqual({ id: expect.stringMatching(/^msg_/) });
    const fetchedAtAcceptance = files.hits.length;
    expect(files.hits).toEqual(expect.arrayContaining(['/go', '/files/report.csv', '/download?id=7']));

    await deliver();
    // Delivery used what was fetched: the file server was not asked again.
    expect(files.hits).toHaveLength(fetchedAtAcceptance);
    const [mail] = arrived(subject);
    const leaves = leafParts(parseMime(mail!.raw));
    const csv = leaves.find((p) => p.type === 'text/csv');
    expect(csv?.body.equals(REPORT)).toBe(true);
    expect(csv?.header('content-disposition')).toContain('report.csv');
    const pdf = leaves.find((p) => p.type === 'application/pdf');
    expect(pdf?.body.toString()).toBe('%PDF-1.4 seven');
    expect(pdf?.header('content-disposition')).toContain('invoice-7.pdf');
  });

  it("keeps the caller's filename, content type and content_id over the server's", async () => {
    const subject = unique('Named');
    const { error } = await resend.emails.send({
      ...email(subject),
      html: '<img src="cid:chart">',
      attachments: [{ path: files.url('/files/report.csv'), filename: 'figures.txt', contentType: 'text/plain', contentId: 'chart' }],
    });
    expect(error).toBeNull();
    await deliver();
    const leaves = leafParts(parseMime(arrived(subject)[0]!.raw));
    const part = leaves.find((p) => p.header('content-id') === '<chart>');
    expect(part?.type).toBe('text/plain');
    expect(part?.header('content-disposition') ?? part?.header('content-type')).toContain('figures.txt');
    expect(part?.body.equals(REPORT)).toBe(true);
  });

  it.each([
    ['an error answer', '/nope.pdf', 'could not be fetched: the server answered 404'],
    ['a file larger than the body limit allows (Content-Length)', '/big', `larger than ${FETCH_LIMIT} bytes`],
    ['a file larger than the limit, without Content-Length', '/big-chunked', `larger than ${FETCH_LIMIT} bytes`],
    ['a server that never answers', '/slow', 'took too long'],
    ['a redirect loop', '/loop', 'more than 3 redirects'],
    ['a redirect to another scheme (each hop is vetted)', '/to-file-scheme', 'must be an http or https URL'],
  ])('refuses %s with invalid_attachment, and accepts and charges nothing', async (_what, path, why) => {
    const b = await h.account({ balance: '5.00' });
    const client = new Resend(b.key, { baseUrl: `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}/resend` });
    const res = await client.emails.send({ ...email(unique('Refused')), attachments: [{ path: files.url(path), filename: 'x.bin' }] });
    expect(res.error).toMatchObject({ statusCode: 422, name: 'invalid_attachment', message: expect.stringContaining(why) });
    expect(res.error!.message).toContain('attachments[0].path');
    expect(await emailsOf(b.key)).toEqual([]);
    expect((await h.app.inject({ method: 'GET', url: '/balance', headers: bearer(b.key) })).json().balance).toBe('5.0000');
  });

  it('refuses an attachment with both content and path', async () => {
    const res = await resend.emails.send({ ...email('Both'), attachments: [{ path: files.url('/files/report.csv'), content: 'aGk=', filename: 'a.txt' }] });
    expect(res.error).toMatchObject({ statusCode: 422, name: 'invalid_attachment', message: expect.stringContaining('content or path, not both') });
  });

  it('asks for a filename when neither the caller nor the URL names the file', async () => {
    const res = await resend.emails.send({ ...email('Nameless'), attachments: [{ path: files.url('/') }] });
    expect(res.error).toMatchObject({ statusCode: 422, name: 'invalid_attachment', message: expect.stringContaining('attachments[0].filename') });
  });

  it('counts every file of a request against one budget: two that fit alone do not fit together', async () => {
    const b = await h.account();
    const client = new Resend(b.key, { baseUrl: `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}/resend` });
    const one = await client.emails.send({ ...email(unique('One half')), attachments: [{ path: files.url('/half') }] });
    expect(one.error).toBeNull();
    const two = await client.emails.send({ ...email(unique('Two halves')), attachments: [{ path: files.url('/half') }, { path: files.url('/half'), filename: 'again.bin' }] });
    expect(two.error).toMatchObject({ statusCode: 422, name: 'invalid_attachment', message: expect.stringContaining('attachments[1].path') });
  });
});
