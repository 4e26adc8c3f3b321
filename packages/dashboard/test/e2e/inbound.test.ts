/**
 * Numbers, inbound messages and the suppression list in a real browser against a real
 * `hellio start`: an operator assigns a number on Admin → Numbers; a simulated phone replies and
 * sends STOP (`hellio sandbox mo`); the reply shows on Messages (direction inbound), the STOP on
 * Suppressions, where entries are added and removed by hand. The account's Numbers page lists
 * its number and changes its reply to HELP, which a phone then receives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot, visit } from '../support/browser.ts';
import { startHellio, type Hellio } from '../support/hellio.ts';
import { logIn, OPERATOR, setUp } from '../support/people.ts';

let hellio: Hellio;
let browser: Browser;
let accountId: string;

beforeAll(async () => {
  [hellio, browser] = await Promise.all([startHellio(), launchBrowser()]);
  const { page, context } = await visit(browser, hellio.url);
  accountId = await setUp(page, hellio, 'Replies Ltd');
  await context.close();
});
afterAll(async () => {
  await browser?.close();
  await hellio?.stop();
});

type Entry = { channel: string; value: string; source: string };

async function managed<T>(page: Page, path: string): Promise<T> {
  return page.evaluate((p) => fetch(p).then((r) => r.json()), `/accounts/${accountId}${path}`) as Promise<T>;
}

describe('inbound and suppressions', () => {
  it('assigns a number, shows a reply and a STOP arriving, and manages the suppression list', async () => {
    const { page, errors, context } = await visit(browser, hellio.url);
    await logIn(page, hellio, OPERATOR.email, OPERATOR.password);

    // Admin → Numbers: a malformed number is refused in place; a good one is listed.
    await page.getByRole('link', { name: 'Admin', exact: true }).click();
    await page.getByRole('link', { name: 'Numbers', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Numbers' }).waitFor();
    await page.getByLabel('Number', { exact: true }).fill('12345');
    await page.getByLabel('Account id').fill(accountId);
    await page.getByRole('button', { name: 'Assign' }).click();
    await expect.poll(() => page.getByLabel('Number', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Number', { exact: true }).fill('+447400123143');
    await page.getByRole('button', { name: 'Assign' }).click();
    await page.getByRole('table', { name: 'Assigned numbers' }).getByRole('row', { name: /\+447400123143/ }).waitFor();

    // A phone replies, then sends STOP.
    await hellio.cli('sandbox', 'mo', '--from', '+447911123481', '--to', '+447400123143', '--text', 'Running 10 min late');
    await hellio.cli('sandbox', 'mo', '--from', '+447911123481', '--to', '+447400123143', '--text', 'stop');

    await page.goto(`${hellio.url}/dashboard/accounts/${accountId}/messages`);
    await page.getByLabel('Direction').selectOption('inbound');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const rows = page.getByRole('table', { name: 'Messages' }).getByRole('row');
    await expect.poll(() => rows.count()).toBe(3);
    await page.getByRole('table', { name: 'Messages' }).getByText('Running 10 min late').waitFor();
    expect(page.url()).toContain('direction=inbound');

    // Suppressions: the STOP is listed; add an address by hand; remove the STOP.
    await page.getByRole('link', { name: 'Suppressions', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Suppressions' }).waitFor();
    const table = page.getByRole('table', { name: 'Suppressed recipients' });
    const stopped = table.getByRole('row', { name: /\+447911123481/ });
    await stopped.getByText('stop', { exact: true }).waitFor();

    await page.getByLabel('Channel', { exact: true }).selectOption('email');
    await page.getByLabel('Number or address').fill('not an address');
    await page.getByRole('button', { name: 'Suppress' }).click();
    await expect.poll(() => page.getByLabel('Number or address').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Number or address').fill('Ada@Example.com');
    await page.getByLabel('Reason').fill('asked by phone');
    await page.getByRole('button', { name: 'Suppress' }).click();
    await table.getByRole('row', { name: /ada@example\.com/ }).waitFor();

    await stopped.getByRole('button', { name: 'Remove' }).click();
    await stopped.waitFor({ state: 'detached' });
    const list = await managed<{ data: Entry[] }>(page, '/suppressions');
    expect(list.data.map((e) => [e.channel, e.value, e.source])).toEqual([['email', 'ada@example.com', 'manual']]);
    await screenshot(page, 'suppressions');
    expect(errors).toEqual([]);
    await context.close();
  });

  it("lists the account's numbers and changes its reply to HELP, which the phone then gets", async () => {
    const { page, errors, context } = await visit(browser, hellio.url);
    await logIn(page, hellio, OPERATOR.email, OPERATOR.password);
    await page.goto(`${hellio.url}/dashboard/accounts/${accountId}`);
    await page.getByRole('link', { name: 'Numbers', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Numbers' }).waitFor();
    await page.getByRole('table', { name: 'Receiving numbers' }).getByRole('row', { name: /\+447400123143/ }).waitFor();

    const help = page.getByLabel('Reply to HELP');
    const byDefault = await help.inputValue();
    expect(byDefault).not.toBe('');
    await help.fill('Replies Ltd: call 0800 000 000');
    await page.getByRole('button', { name: 'Save replies' }).click();
    await page.getByText('Replies saved.').waitFor();

    await hellio.cli('sandbox', 'mo', '--from', '+447911123482', '--to', '+447400123143', '--text', 'HELP');
    const bodies = async () => (await hellio.cli<{ data: Array<{ body: string }> }>('sandbox', 'inbox', '--to', '+447911123482')).data.map((m) => m.body);
    await expect.poll(bodies).toContain('Replies Ltd: call 0800 000 000');

    await page.getByRole('button', { name: 'Use the default reply to HELP' }).click();
    await expect.poll(() => help.inputValue()).toBe(byDefault);
    const replies = await managed<Record<string, { text: string; default: boolean }>>(page, '/numbers/replies');
    expect(replies.help).toEqual({ text: byDefault, default: true });
    await screenshot(page, 'numbers');
    expect(errors).toEqual([]);
    await context.close();
  });
});
