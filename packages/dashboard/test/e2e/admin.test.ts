/** The admin console in a real browser against a real `hellio start`: accounts, wallets, approvals, prices, routes, and who may see it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { money } from '../../src/lib/format.ts';
import { apiSession, micros, type ApiSession } from '../support/admin.ts';
import { launchBrowser, screenshot, visit } from '../support/browser.ts';
import { startHellio, type Hellio } from '../support/hellio.ts';
import { createMember, logIn, OPERATOR, setUp } from '../support/people.ts';

let hellio: Hellio;
let browser: Browser;
let acme: string;
let globex: string;
let ops: ApiSession;

beforeAll(async () => {
  // Every test signs the operator in again, from 127.0.0.1: room for that under the sign-in limits.
  [hellio, browser] = await Promise.all([startHellio({ HELLIO_LOGIN_PER_IP: '1000', HELLIO_LOGIN_PER_EMAIL: '1000' }), launchBrowser()]);
  const { page, context } = await visit(browser, hellio.url);
  acme = await setUp(page, hellio, 'Acme');
  await context.close();
  ops = await apiSession(hellio, OPERATOR.email, OPERATOR.password);
  globex = (await hellio.cli<{ id: string }>('accounts', 'create', '--name', 'Globex')).id;
  await hellio.cli('accounts', 'create', '--name', 'Initech (signed up)', '--status', 'pending');
  await hellio.cli('wallet', 'topup', '--account', acme, '--amount', '25.00');
});
afterAll(async () => {
  await browser?.close();
  await hellio?.stop();
});

/** The operator, signed in, on an admin page. */
async function operatorAt(path: string) {
  const v = await visit(browser, hellio.url);
  await logIn(v.page, hellio, OPERATOR.email, OPERATOR.password);
  await v.page.goto(`${hellio.url}/dashboard${path}`);
  return v;
}

const region = (page: Page, name: string) => page.getByRole('region', { name });

describe('accounts', () => {
  it('suspending an account in Admin (confirmed) makes its API key 403 account_not_active at once; Activate makes it work again', async () => {
    const { key } = await hellio.cli<{ key: string }>('keys', 'create', '--account', globex, '--scopes', 'balance', '--name', 'globex server');
    expect((await hellio.call('GET', '/balance', { key })).status).toBe(200);

    const { page, errors, context } = await operatorAt('/admin');
    const table = page.getByRole('table', { name: 'Accounts' });
    await table.getByRole('link', { name: 'Initech (signed up)' }).waitFor();
    await screenshot(page, 'admin-accounts');
    // The listed balance is the API's.
    const listed = (await ops.call('GET', `/admin/accounts?search=${acme}`)).body.data[0];
    await expect.poll(() => table.getByRole('row', { name: /Acme/ }).textContent()).toContain(money(listed.balance, listed.currency));

    // The status filter is the approval queue.
    await page.getByLabel('Status', { exact: true }).selectOption('pending');
    await page.getByRole('table', { name: 'Accounts waiting for approval' }).getByRole('link', { name: 'Initech (signed up)' }).waitFor();
    expect(await page.getByRole('link', { name: 'Globex' }).count()).toBe(0);
    await page.getByLabel('Status', { exact: true }).selectOption('');

    await page.getByRole('link', { name: 'Globex' }).click();
    await page.getByRole('heading', { level: 1, name: 'Globex' }).waitFor();
    await page.getByRole('button', { name: 'Suspend', exact: true }).click();
    await page.getByRole('dialog', { name: 'Suspend Globex?' }).getByRole('button', { name: 'Suspend account' }).click();
    await page.getByRole('button', { name: 'Activate', exact: true }).waitFor();
    const refused = await hellio.call<{ code: string }>('GET', '/balance', { key });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('account_not_active');
    expect((await ops.call('GET', `/admin/accounts/${globex}`)).body.status).toBe('suspended');

    await page.getByRole('button', { name: 'Activate', exact: true }).click();
    await page.getByRole('dialog', { name: 'Activate Globex?' }).getByRole('button', { name: 'Activate account' }).click();
    await page.getByRole('button', { name: 'Suspend', exact: true }).waitFor();
    expect((await hellio.call('GET', '/balance', { key })).status).toBe(200);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a top-up in Admin changes the balance the API reports by exactly that amount; an adjustment needs its reason', async () => {
    const { key } = await hellio.cli<{ key: string }>('keys', 'create', '--account', globex, '--scopes', 'balance', '--name', 'globex billing');
    const before = (await hellio.call<{ balance: string }>('GET', '/balance', { key })).body.balance;

    const { page, errors, context } = await operatorAt(`/admin/accounts/${globex}`);
    const topUp = page.getByRole('form', { name: 'Top up' });
    await topUp.getByLabel('Amount').fill('12.34');
    await topUp.getByLabel('Reason').fill('bank transfer 2026-12-04');
    await topUp.getByRole('button', { name: 'Top up' }).click();
    await topUp.getByRole('status').waitFor();
    const after = (await hellio.call<{ balance: string; currency: string }>('GET', '/balance', { key })).body;
    expect(micros(after.balance) - micros(before)).toBe(12_340_000n);
    // The page shows the balance the API answers.
    await expect.poll(() => page.getByLabel('Balance', { exact: true }).textContent()).toBe(money(after.balance, after.currency));

    // An adjustment without a reason is refused with the API's message; with one it takes the amount off.
    const adjust = page.getByRole('form', { name: 'Adjust' });
    await adjust.getByLabel('Amount').fill('-2.34');
    await adjust.getByRole('button', { name: 'Adjust' }).click();
    await adjust.getByRole('alert').waitFor();
    expect((await hellio.call<{ balance: string }>('GET', '/balance', { key })).body.balance).toBe(after.balance);
    await adjust.getByLabel('Reason').fill('refund of a test campaign');
    await adjust.getByRole('button', { name: 'Adjust' }).click();
    await adjust.getByRole('status').waitFor();
    const adjusted = (await hellio.call<{ balance: string }>('GET', '/balance', { key })).body.balance;
    expect(micros(after.balance) - micros(adjusted)).toBe(2_340_000n);
    await expect.poll(() => page.getByLabel('Balance', { exact: true }).textContent()).toBe(money(adjusted, after.currency));
    await page.getByRole('table', { name: 'Members of Globex' }).or(page.getByText('No member yet')).first().waitFor();
    await screenshot(page, 'admin-account');

    // "Open its dashboard" reaches the account's own pages, though the operator is not a member.
    await page.getByRole('link', { name: 'Open its dashboard' }).click();
    await page.waitForURL(new RegExp(`/dashboard/accounts/${globex}/?$`));
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('creating an account', () => {
  it('Create account (pending) opens the new account, which the API lists as pending', async () => {
    const { page, errors, context } = await operatorAt('/admin');
    await page.getByRole('button', { name: 'Create account' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create account' });
    await dialog.getByLabel('Name').fill('Hooli');
    await dialog.getByLabel('Status').selectOption('pending');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { level: 1, name: 'Hooli' }).waitFor();
    await page.getByRole('button', { name: 'Activate', exact: true }).waitFor();
    const id = /admin\/accounts\/(acc_[^/?]+)/.exec(page.url())![1]!;
    expect((await ops.call('GET', `/admin/accounts/${id}`)).body).toMatchObject({ name: 'Hooli', status: 'pending', member_count: 0, key_count: 0 });
    // An empty name: the API's refusal, shown in the dialog.
    await page.goto(`${hellio.url}/dashboard/admin`);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('dialog', { name: 'Create account' }).getByRole('button', { name: 'Create' }).click();
    await page.getByRole('dialog', { name: 'Create account' }).getByRole('alert').waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('approvals', () => {
  it('a sender request made through the API is in the queue; Approve makes it approved', async () => {
    const asked = await ops.call<{ id: string }>('POST', `/accounts/${acme}/senders`, { sender: 'ACMEBANK', note: 'One-time codes for our app' });
    expect(asked.status, JSON.stringify(asked.body)).toBe(200);
    const domain = await ops.call<{ id: string }>('POST', `/accounts/${acme}/senders`, { sender: 'mail.acme.example', note: 'Receipts' });
    expect(domain.status).toBe(200);

    const { page, errors, context } = await operatorAt('/admin/senders');
    const queue = page.getByRole('table', { name: 'Sender requests' });
    await queue.getByRole('cell', { name: 'ACMEBANK', exact: true }).waitFor();
    await queue.getByRole('cell', { name: 'mail.acme.example', exact: true }).waitFor();
    await screenshot(page, 'admin-approvals');

    await queue.getByRole('button', { name: 'Approve ACMEBANK' }).click();
    await queue.getByRole('cell', { name: 'ACMEBANK', exact: true }).waitFor({ state: 'detached' });
    const approved = (await ops.call<{ data: { id: string; status: string }[] }>('GET', '/admin/sender-requests?status=approved')).body.data;
    expect(approved).toContainEqual(expect.objectContaining({ id: asked.body.id, status: 'approved' }));
    const senders = (await ops.call<{ data: { sender: string }[] }>('GET', `/accounts/${acme}/senders`)).body.data;
    expect(senders.map((s) => s.sender)).toContain('ACMEBANK');

    // Reject asks for the reason the account will see.
    await queue.getByRole('button', { name: 'Reject mail.acme.example' }).click();
    const dialog = page.getByRole('dialog', { name: 'Reject mail.acme.example?' });
    await dialog.getByLabel('Reason').fill('Publish the DNS records first');
    await dialog.getByRole('button', { name: 'Reject request' }).click();
    await page.getByText('Nothing is waiting for approval.').waitFor();
    const rejected = (await ops.call<{ data: { id: string; reason: string }[] }>('GET', '/admin/sender-requests?status=rejected')).body.data;
    expect(rejected).toContainEqual(expect.objectContaining({ id: domain.body.id, reason: 'Publish the DNS records first' }));
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('prices and routes', () => {
  it('the price tester shows what the quote route answers for a number priced on the page', async () => {
    const { page, errors, context } = await operatorAt('/admin/prices');
    const setForm = region(page, 'Set a price');
    await setForm.getByLabel('Channel').selectOption('sms');
    await setForm.getByLabel('Prefix').fill('4479');
    await setForm.getByLabel('Price').fill('0.0333');
    await setForm.getByRole('button', { name: 'Set price' }).click();
    await setForm.getByRole('status').waitFor();
    await region(page, 'Price list').getByRole('cell', { name: '+4479…' }).waitFor();

    const tester = region(page, 'What would this cost');
    await tester.getByLabel('Channel').selectOption('sms');
    await tester.getByLabel('Number').fill('+447911123456');
    await tester.getByRole('button', { name: 'Get price' }).click();
    const shown = tester.getByTestId('quote-price');
    await shown.waitFor();
    const quote = (await ops.call<{ price: string; prefix: string; currency: string }>('GET', `/admin/prices/quote?channel=sms&to=${encodeURIComponent('+447911123456')}`)).body;
    expect(quote).toMatchObject({ price: '0.0333', prefix: '4479' });
    expect(await shown.textContent()).toContain(`${quote.price} ${quote.currency}`);
    expect(await tester.getByTestId('quote-prefix').textContent()).toBe('+4479…');
    await screenshot(page, 'admin-prices');

    // A number that is not E.164: the API's message, in place.
    await tester.getByLabel('Number').fill('07911 123456');
    await tester.getByRole('button', { name: 'Get price' }).click();
    expect(await tester.getByRole('alert').textContent()).toMatch(/E\.164/);

    // Deleting the rate (confirmed) sends the number back to the +44 rate.
    await page.getByRole('button', { name: 'Delete sms +4479' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete rate' }).click();
    // The dialog stays open until the DELETE has answered, and while it is open the page behind it
    // is hidden from the accessibility tree: a role locator there finds nothing, "detached" at once.
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await region(page, 'Price list').getByRole('cell', { name: '+4479…' }).waitFor({ state: 'detached' });
    expect((await ops.call('GET', `/admin/prices/quote?channel=sms&to=${encodeURIComponent('+447911123456')}`)).body).toMatchObject({ prefix: '44' });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('routes: set one for a prefix (the API lists it) and remove it; providers show their live state', async () => {
    const { page, errors, context } = await operatorAt('/admin/network');
    const providers = page.getByRole('table', { name: 'Providers and their live state' });
    await providers.waitFor();
    const health = (await ops.call<{ providers: { name: string }[] }>('GET', '/admin/providers')).body;
    expect(await providers.getByRole('row').count()).toBe(health.providers.length + 1);

    const form = page.getByRole('form', { name: 'Set a route' });
    await form.getByLabel('Prefix').fill('44');
    const provider = await form.getByLabel('Provider').inputValue();
    await form.getByRole('button', { name: 'Set route' }).click();
    await form.getByRole('status').waitFor();
    expect((await ops.call<{ data: unknown[] }>('GET', '/admin/routes')).body.data).toEqual([{ channel: 'sms', prefix: '44', provider, fallback: null }]);
    await page.getByRole('table', { name: 'SMS routes' }).waitFor();
    await screenshot(page, 'admin-network');

    await page.getByRole('button', { name: 'Delete route +44' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete route' }).click();
    await page.getByText('No route: every SMS goes through the default provider.').waitFor();
    expect((await ops.call<{ data: unknown[] }>('GET', '/admin/routes')).body.data).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('users', () => {
  it('lists users with their accounts; creates one as a member of an account', async () => {
    const { page, errors, context } = await operatorAt('/admin/users');
    await page.getByRole('table', { name: 'Users' }).getByRole('cell', { name: OPERATOR.email, exact: true }).waitFor();
    await page.getByRole('button', { name: 'Create user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create user' });
    await dialog.getByLabel('Email').fill('viewer@globex.example');
    await dialog.getByLabel('Password').fill('a viewer password');
    await dialog.getByLabel('Account id').fill(globex);
    await dialog.getByLabel('Role').selectOption('viewer');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('table', { name: 'Users' }).getByRole('cell', { name: /^viewer@globex\.example/ }).waitFor();
    const users = (await ops.call<{ data: { email: string; accounts: { id: string; role: string }[] }[] }>('GET', '/admin/users?search=viewer%40globex')).body.data;
    expect(users).toEqual([expect.objectContaining({ email: 'viewer@globex.example', accounts: [expect.objectContaining({ id: globex, role: 'viewer' })] })]);

    // The operator flag, granted and revoked with a confirmation each.
    await page.getByRole('button', { name: 'Make operator: viewer@globex.example' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Make operator' }).click();
    await page.getByRole('button', { name: 'Remove operator: viewer@globex.example' }).waitFor();
    const flag = async () => (await ops.call<{ data: { operator: boolean }[] }>('GET', '/admin/users?search=viewer%40globex')).body.data[0]!.operator;
    expect(await flag()).toBe(true);
    await page.getByRole('button', { name: 'Remove operator: viewer@globex.example' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove operator' }).click();
    await page.getByRole('button', { name: 'Make operator: viewer@globex.example' }).waitFor();
    expect(await flag()).toBe(false);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('phone width', () => {
  it('the console\'s pages fit 390 px: wide tables scroll inside themselves, not the page', async () => {
    const { page, errors, context } = await visit(browser, hellio.url, { viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    await logIn(page, hellio, OPERATOR.email, OPERATOR.password);
    for (const [path, ready] of [
      ['/admin', 'Accounts'],
      [`/admin/accounts/${globex}`, 'Globex'],
      ['/admin/senders', 'Approvals'],
      ['/admin/prices', 'Prices'],
      ['/admin/network', 'Routes and providers'],
      ['/admin/users', 'Users'],
    ] as const) {
      await page.goto(`${hellio.url}/dashboard${path}`);
      await page.getByRole('heading', { level: 1, name: ready }).waitFor();
      await expect.poll(() => page.getByRole('status').filter({ hasText: /^Loading/ }).count()).toBe(0);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect({ path, width }).toEqual({ path, width: 390 });
    }
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('who sees the console', () => {
  it('a non-operator has no "Admin" link, and /dashboard/admin sends them to their account', async () => {
    const dev = await createMember(hellio, acme, 'dev@acme.example', 'developer');
    const { page, errors, context } = await visit(browser, hellio.url);
    await logIn(page, hellio, dev.email, dev.password);
    await page.getByRole('link', { name: 'API Keys' }).waitFor();
    expect(await page.getByRole('link', { name: 'Admin', exact: true }).count()).toBe(0);
    await page.goto(`${hellio.url}/dashboard/admin`);
    await page.waitForURL(new RegExp(`/dashboard/accounts/${acme}/?$`));
    await page.getByRole('link', { name: 'API Keys' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Accounts' }).count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
