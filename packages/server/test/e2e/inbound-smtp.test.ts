import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { freePort, killed, startWorker, type WorkerChild } from '../support/cli.ts';
import { BACKENDS, bearer, createHarness, type Harness } from '../support/harness.ts';
import { until } from '../support/wait.ts';

/**
 * A `hellio worker` process with HELLIO_SMTP_INBOUND_PORT listens for mail itself: it refuses a
 * stranger's recipient at RCPT and stores mail for a verified domain, which the API then lists.
 */
describe.each(BACKENDS)('hellio worker runs the inbound SMTP server on %s', (backend) => {
  let h: Harness;
  let w: WorkerChild;
  let port: number;

  beforeAll(async () => {
    h = await createHarness(backend);
    port = await freePort();
    w = startWorker({ ...h.database.env, HELLIO_LOG_LEVEL: 'warn', HELLIO_SMTP_INBOUND_PORT: String(port), HOST: '127.0.0.1' });
  });
  afterAll(async () => {
    if (w) await killed(w.child, 'SIGTERM');
    await h?.close();
  });

  it('refuses unknown recipients with 550 and stores mail for a verified domain', async () => {
    const a = await h.account();
    const d = (await h.app.inject({ method: 'POST', url: '/domains', headers: bearer(a.key), payload: { domain: `e2e-${backend}.test` } })).json();
    // Verified as POST /domains/{id}/verify would once DNS has the record (test/delivery/domains-email.test.ts covers that path).
    await h.rt.store.domains.markVerified(d.id, Date.now());
    const t = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    await until('the worker listening for mail', () => t.verify().catch(() => false), { timeoutMs: 30_000, everyMs: 200, last: () => w.output() });

    const refused = await t.sendMail({ from: 'x@sender.test', to: 'someone@not-ours.test', subject: 'no', text: 'no' }).catch((e: { responseCode?: number }) => e);
    expect(refused).toMatchObject({ responseCode: 550 });

    const info = await t.sendMail({ from: 'x@sender.test', to: `hello@e2e-${backend}.test`, subject: 'through the worker', text: 'hi' });
    expect(info.accepted).toEqual([`hello@e2e-${backend}.test`]);
    const list = await h.app.inject({ method: 'GET', url: '/emails/inbound', headers: bearer(a.key) });
    expect(list.json().data).toEqual([expect.objectContaining({ subject: 'through the worker', from: 'x@sender.test', rcpt_to: [`hello@e2e-${backend}.test`] })]);
  }, 60_000);
});
