/** Senders and Domains, in a real browser against a real `hellio start` whose DNS is a test server the test publishes records on. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot, visit } from '../support/browser.ts';
import { startDns, type TestDns } from '../support/dns.ts';
import { startHellio, type Hellio } from '../support/hellio.ts';
import { createMember, logIn, OPERATOR, setUp } from '../support/people.ts';

let dns: TestDns;
let hellio: Hellio;
let browser: Browser;
let accountId: string;

beforeAll(async () => {
  dns = await startDns();
  [hellio, browser] = await Promise.all([startHellio({ HELLIO_DNS_SERVERS: dns.server }), launchBrowser()]);
  const { page, context } = await visit(browser, hellio.url);
  accountId = await setUp(page, hellio, 'Acme');
  await context.close();
});
afterAll(async () => {
  await browser?.close();
  await hellio?.stop();
  await dns?.stop();
});

type DnsRecord = { type: string; name: string; value: string; purpose: string };
type Domain = { id: string; domain: string; status: string; records: DnsRecord[] };
type Senders = { data: { id: string; kind: string; sender: string }[]; requests: { id: string; sender: string; status: string; note: string | null }[] };

/** A management API answer, with the browser's session. */
async function managed<T>(page: Page, path: string): Promise<T> {
  return page.evaluate((p) => fetch(p).then((r) => r.json()), `/accounts/${accountId}${path}`) as Promise<T>;
}

describe('Senders and Domains', () => {
  it('requests a sender id (pending until an operator approves it), removes an approved one, and refuses a malformed one in place', async () => {
    const { page, errors, context } = await visit(browser, hellio.url);
    await logIn(page, hellio, OPERATOR.email, OPERATOR.password);
    await page.getByRole('link', { name: 'Senders', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Senders' }).waitFor();
    await page.getByText('No approved senders yet.').waitFor();

    const field = page.getByLabel('Sender', { exact: true });
    await field.fill('not a sender!');
    await page.getByRole('button', { name: 'Request sender' }).click();
    await expect.poll(() => field.getAttribute('aria-invalid')).toBe('true');
    expect((await managed<Senders>(page, '/senders')).requests).toEqual([]);

    await field.fill('ACMESHOP');
    await page.getByLabel('Note for the operators').fill('Order updates');
    await page.getByRole('button', { name: 'Request sender' }).click();
    const request = page.getByRole('table', { name: 'Sender requests' }).getByRole('row', { name: /ACMESHOP/ });
    await request.getByText('pending', { exact: true }).waitFor();
    const s = await managed<Senders>(page, '/senders');
    expect(s.requests).toEqual([expect.objectContaining({ sender: 'ACMESHOP', status: 'pending', note: 'Order updates' })]);

    // Asking again while it waits: the API's conflict, shown where it was asked.
    await field.fill('ACMESHOP');
    await page.getByRole('button', { name: 'Request sender' }).click();
    await page.getByRole('region', { name: 'Request a sender' }).getByRole('alert').waitFor();

    // An operator approves it; the page lists it as a sender, and it can be given up.
    await hellio.cli('senders', 'approve', '--account', accountId, '--sender', 'ACMESHOP');
    await page.reload();
    const approved = page.getByRole('table', { name: 'Approved senders' }).getByRole('row', { name: /ACMESHOP/ });
    await approved.waitFor();
    await approved.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('dialog', { name: 'Remove ACMESHOP?' }).getByRole('button', { name: 'Remove sender' }).click();
    await approved.waitFor({ state: 'detached' });
    expect((await managed<Senders>(page, '/senders')).data.map((x) => x.sender)).not.toContain('ACMESHOP');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('adds a domain: its DNS records are shown with copy buttons; re-check answers what DNS holds, and verifies the domain once the DKIM record is published', async () => {
    await hellio.cli('senders', 'approve', '--account', accountId, '--sender', 'HELLIO');
    const { page, errors, context } = await visit(browser, hellio.url);
    await logIn(page, hellio, OPERATOR.email, OPERATOR.password);
    await page.getByRole('link', { name: 'Senders', exact: true }).click();
    await page.getByText('No sending domains yet.').waitFor();
    await page.getByLabel('Domain', { exact: true }).fill('mail.acme.example');
    await page.getByRole('button', { name: 'Add domain' }).click();

    const card = page.getByRole('article', { name: 'mail.acme.example' });
    const records = card.getByRole('list', { name: 'DNS records for mail.acme.example' });
    await records.waitFor();
    const [domain] = (await managed<{ data: Domain[] }>(page, '/domains')).data;
    expect(domain).toMatchObject({ domain: 'mail.acme.example', status: 'pending' });
    // One row per record of the API, each name and value with its copy button.
    expect(await records.getByRole('listitem').count()).toBe(domain!.records.length);
    for (const r of domain!.records) await records.getByRole('listitem').filter({ hasText: r.value }).getByText(r.name, { exact: true }).waitFor();
    const dkim = domain!.records.find((r) => r.purpose === 'dkim')!;
    const spf = domain!.records.find((r) => r.purpose === 'spf')!;
    await card.getByRole('button', { name: 'Copy DKIM value' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(dkim.value);
    await card.getByRole('button', { name: 'Copy DKIM name' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(dkim.name);
    await card.getByRole('button', { name: 'Copy SPF value' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(spf.value);

    // Nothing published yet: the re-check says so, and the domain stays pending.
    await card.getByRole('button', { name: 'Re-check' }).click();
    const answer = card.getByRole('status').filter({ hasText: 'DKIM record' });
    await answer.getByText('Not verified yet.').waitFor();
    expect(await answer.textContent()).toContain('DKIM record: not found');

    // Published: the re-check verifies it, and the domain becomes an approved sender.
    dns.publish(dkim.name, dkim.value);
    dns.publish(spf.name, spf.value);
    await card.getByRole('button', { name: 'Re-check' }).click();
    await answer.getByText('Verified: the domain is an approved sender.').waitFor();
    expect(await answer.textContent()).toContain('DKIM record: found and matching');
    expect(await answer.textContent()).toContain('SPF record: found');
    await card.getByText('verified', { exact: true }).waitFor();
    await page.getByRole('table', { name: 'Approved senders' }).getByRole('row', { name: /mail\.acme\.example/ }).waitFor();
    expect((await managed<{ data: Domain[] }>(page, '/domains')).data[0]!.status).toBe('verified');
    expect((await managed<Senders>(page, '/senders')).data).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'email_domain', sender: 'mail.acme.example' })]));

    // A second domain waiting for its records, and a request waiting for an operator, for the picture.
    await page.getByLabel('Domain', { exact: true }).fill('news.acme.example');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.getByRole('article', { name: 'news.acme.example' }).waitFor();
    await page.getByLabel('Sender', { exact: true }).fill('+14155550123');
    await page.getByRole('button', { name: 'Request sender' }).click();
    await page.getByRole('table', { name: 'Sender requests' }).getByRole('row', { name: /\+14155550123/ }).waitFor();
    await screenshot(page, 'senders');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a viewer sees senders, domains and their records, but no button to request, add, re-check or remove', async () => {
    const viewer = await createMember(hellio, accountId, 'viewer.senders@example.com', 'viewer');
    const { page, errors, context } = await visit(browser, hellio.url);
    await logIn(page, hellio, viewer.email, viewer.password);
    await page.getByRole('link', { name: 'Senders', exact: true }).click();
    await page.getByRole('list', { name: 'DNS records for mail.acme.example' }).waitFor();
    await page.getByRole('table', { name: 'Approved senders' }).getByRole('row', { name: /HELLIO/ }).waitFor();
    for (const name of ['Request sender', 'Add domain', 'Re-check', 'Remove']) expect(await page.getByRole('button', { name, exact: true }).count()).toBe(0);
    expect(await page.getByLabel('Sender', { exact: true }).count()).toBe(0);
    expect(await page.getByLabel('Domain', { exact: true }).count()).toBe(0);
    // Copying a record is reading: the viewer keeps those buttons.
    expect(await page.getByRole('button', { name: 'Copy DKIM value' }).count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
