/**
 * Received mail in a real browser: `hellio start` with its inbound SMTP server; the account's
 * domain verified through a test DNS server; a message with an attachment delivered over SMTP;
 * the page lists it with its authentication verdicts, shows its text, and downloads the attachment
 * as received. Another account's page does not show it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshot, visit } from '../support/browser.ts';
import { startDns, type TestDns } from '../support/dns.ts';
import { freePort, startHellio, type Hellio } from '../support/hellio.ts';
import { logIn, OPERATOR, setUp } from '../support/people.ts';
import { deliverMail } from '../support/smtp.ts';

let dns: TestDns;
let hellio: Hellio;
let browser: Browser;
let smtpPort: number;
let accountId: string;

beforeAll(async () => {
  dns = await startDns();
  smtpPort = await freePort();
  [hellio, browser] = await Promise.all([startHellio({ HELLIO_DNS_SERVERS: dns.server, HELLIO_SMTP_INBOUND_PORT: String(smtpPort) }), launchBrowser()]);
  const { page, context } = await visit(browser, hellio.url);
  accountId = await setUp(page, hellio, 'Inbox Ltd');
  await context.close();
  // The account's domain, verified once its DKIM record is in DNS.
  const domain = await hellio.cli<{ id: string; records: Array<{ type: string; name: string; value: string }> }>('domains', 'add', '--account', accountId, '--domain', 'inbox.test');
  for (const r of domain.records) if (r.type === 'TXT') dns.publish(r.name, r.value);
  expect(await hellio.cli('domains', 'verify', '--account', accountId, '--id', domain.id)).toMatchObject({ status: 'verified' });
});
afterAll(async () => {
  await browser?.close();
  await hellio?.stop();
  await dns?.stop();
});

const MAIL = [
  'From: Ada Lovelace <ada@sender.test>',
  'To: support@inbox.test',
  'Subject: Order 1842 arrived damaged',
  'Message-ID: <order-1842@sender.test>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'The box was crushed. A photo of the label is attached.',
  '--b1',
  'Content-Type: text/plain; name="label.txt"',
  'Content-Disposition: attachment; filename="label.txt"',
  '',
  'ORDER 1842 / PARCEL 77',
  '--b1--',
  '',
].join('\n');

describe('received mail', () => {
  it('lists a delivered email, reads its text and downloads its attachment', async () => {
    expect(await deliverMail(smtpPort, { from: 'ada@sender.test', to: 'support@inbox.test', data: MAIL })).toMatch(/^250/);

    const { page, errors, context } = await visit(browser, hellio.url);
    await logIn(page, hellio, OPERATOR.email, OPERATOR.password);
    await page.goto(`${hellio.url}/dashboard/accounts/${accountId}`);
    await page.getByRole('link', { name: 'Received mail', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Received mail' }).waitFor();
    const row = page.getByRole('table', { name: 'Received mail, newest first' }).getByRole('row', { name: /Order 1842 arrived damaged/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('ada@sender.test');
    expect(await row.textContent()).toContain('support@inbox.test');
    expect(await row.textContent()).toMatch(/SPF \w+/);

    await row.getByRole('button', { name: /^Read the email from ada@sender\.test/ }).click();
    await page.getByRole('heading', { name: 'Order 1842 arrived damaged' }).waitFor();
    expect(await page.getByLabel('Text of the email').textContent()).toContain('The box was crushed.');
    const download = page.waitForEvent('download');
    await page.getByRole('list', { name: 'Attachments' }).getByRole('link', { name: 'label.txt' }).click();
    const file = await download;
    const { readFile } = await import('node:fs/promises');
    expect((await readFile((await file.path())!, 'utf8')).trim()).toBe('ORDER 1842 / PARCEL 77');
    await screenshot(page, 'received-mail');

    // A second account's page lists none of it.
    const other = await hellio.cli<{ id: string }>('accounts', 'create', '--name', 'Elsewhere');
    await page.goto(`${hellio.url}/dashboard/accounts/${other.id}/received-mail`);
    await page.getByText('No mail received yet.').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});
