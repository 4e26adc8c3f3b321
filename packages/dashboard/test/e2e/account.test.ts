/** An account's other pages in a real browser: usage, billing, members, sandbox, lookups, the audit log, and a person's settings. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot, visit, type Visitor } from '../support/browser.ts';
import { startHellio, type Hellio } from '../support/hellio.ts';
import { createMember, logIn, OPERATOR, setUp } from '../support/people.ts';
import { amountIn, fromPage, fund, sendEmail, sendSms, settled, totp } from '../support/traffic.ts';

let hellio: Hellio;
let browser: Browser;
let accountId: string;
let keys: { live: string; test: string };

beforeAll(async () => {
  [hellio, browser] = await Promise.all([startHellio(), launchBrowser()]);
  const { page, context } = await visit(browser, hellio.url);
  accountId = await setUp(page, hellio, 'Acme');
  await context.close();
  keys = await fund(hellio, accountId);
  const live = [...(await sendSms(hellio, keys.live, ['+14155550101', '+14155550102', '+15005550001'])), ...(await sendEmail(hellio, keys.live, ['ada@example.org']))];
  const test = await sendSms(hellio, keys.test, ['+14155550199'], 'Sandbox hello 4242');
  await settled(hellio, keys.live, [...live, ...test]);
});
afterAll(async () => {
  await browser?.close();
  await hellio?.stop();
});

/** The operator, signed in, on one of the account's pages. */
async function operatorOn(path: string): Promise<Visitor> {
  const v = await visit(browser, hellio.url);
  await logIn(v.page, hellio, OPERATOR.email, OPERATOR.password);
  await v.page.goto(`${hellio.url}/dashboard/accounts/${accountId}${path}`);
  return v;
}

/** A figure of a page (a <dt> label and its <dd> value) inside `region`. */
function figure(page: Page, region: string, label: string) {
  return page.getByRole('region', { name: region }).locator('div', { has: page.locator('dt', { hasText: label }) }).locator('dd').first();
}

describe('account pages', () => {
  it("usage: the totals, the per-channel figures and the table's cells are the usage route's", async () => {
    const { page, errors, context } = await operatorOn('/usage');
    await page.getByRole('heading', { level: 1, name: 'Usage' }).waitFor();
    await page.getByRole('table', { name: 'Per channel' }).waitFor();
    const usage = await fromPage<{ totals: { count: number; spend: string }; channels: { channel: string; count: number; spend: string }[]; data: unknown[] }>(
      page,
      `/accounts/${accountId}/usage?granularity=day&from=${encodeURIComponent(new Date(Date.now() - 30 * 86_400_000).toISOString())}`,
    );
    expect(usage.totals.count).toBe(5);
    expect(Number(await figure(page, 'Totals', 'Messages').textContent())).toBe(usage.totals.count);
    expect(amountIn(await figure(page, 'Totals', 'Spend').textContent())).toBe(Number(usage.totals.spend));
    const perChannel = page.getByRole('table', { name: 'Per channel' });
    for (const c of usage.channels) {
      const cells = await perChannel.getByRole('row').filter({ has: page.getByRole('cell', { name: c.channel, exact: true }) }).getByRole('cell').allTextContents();
      expect(Number(cells[1])).toBe(c.count);
      expect(amountIn(cells[2]!)).toBe(Number(c.spend));
    }
    // The numbers: one row per API cell.
    expect(await page.getByRole('table', { name: 'Messages and spend per day, channel and status' }).locator('tbody tr').count()).toBe(usage.data.length);
    // Two charts, drawn.
    expect(await page.getByRole('figure').locator('canvas').count()).toBeGreaterThanOrEqual(2);
    await screenshot(page, 'usage');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('billing: balance as the API answers; caps set from the page take effect; the ledger and its CSV have the same rows', async () => {
    const { page, errors, context } = await operatorOn('/billing');
    await page.getByRole('heading', { level: 1, name: 'Billing' }).waitFor();
    await figure(page, 'Wallet', 'Balance').waitFor();
    const billing = await fromPage<{ balance: string }>(page, `/accounts/${accountId}/billing`);
    expect(amountIn(await figure(page, 'Wallet', 'Balance').textContent())).toBe(Number(billing.balance));

    // Caps: a wrong amount gets the API's message; a right one is saved.
    await page.getByLabel('Daily cap (USD)').fill('lots');
    await page.getByRole('button', { name: 'Save caps' }).click();
    await page.getByRole('region', { name: 'Caps and alerts' }).getByRole('alert').waitFor();
    await page.getByLabel('Daily cap (USD)').fill('5.00');
    await page.getByLabel('Monthly cap (USD)').fill('100');
    await page.getByRole('button', { name: 'Save caps' }).click();
    await page.getByText('Caps saved.').waitFor();
    const after = await fromPage<{ spend_caps: { daily: { limit: string }; monthly: { limit: string } } }>(page, `/accounts/${accountId}/billing`);
    expect(after.spend_caps.daily.limit).toBe('5.0000');
    expect(after.spend_caps.monthly.limit).toBe('100.0000');
    await page.getByLabel('Alert when the balance falls below (USD)').fill('2.50');
    await page.getByRole('button', { name: 'Save alert' }).click();
    await page.getByText('Alert saved.').waitFor();
    expect((await fromPage<{ low_balance_alert: { below: string } }>(page, `/accounts/${accountId}/billing`)).low_balance_alert.below).toBe('2.5000');

    // The ledger: the API's rows, newest first.
    const ledger = await fromPage<{ data: { id: string; kind: string; amount: string }[] }>(page, `/accounts/${accountId}/ledger?limit=100`);
    expect(ledger.data.map((r) => r.kind).sort()).toEqual(['debit', 'debit', 'debit', 'debit', 'refund', 'topup']);
    const rows = page.getByRole('table', { name: 'Ledger, newest first' }).locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(ledger.data.length);
    const amounts = await rows.evaluateAll((trs) => trs.map((tr) => tr.querySelectorAll('td')[2]?.textContent ?? ''));
    expect(amounts.map((a) => amountIn(a))).toEqual(ledger.data.map((r) => Number(r.amount)));
    await screenshot(page, 'billing');

    // "Download CSV" downloads the same rows.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download CSV' }).click()]);
    const csv = readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
    expect(csv[0]).toBe('id,created_at,kind,amount,balance_after,currency,reference,note');
    expect(csv.slice(1).map((line) => line.split(',')[0])).toEqual(ledger.data.map((r) => r.id));
    expect(download.suggestedFilename()).toBe(`ledger-${accountId}.csv`);

    // A filter narrows the list (and the CSV link).
    await page.getByLabel('Kind').selectOption('topup');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await page.getByRole('link', { name: 'Download CSV' }).getAttribute('href')).toContain('kind=topup');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('members: an invitation shows in the list and can be revoked; a role changed from the page is the API\'s; a viewer sees no controls', async () => {
    const vic = await createMember(hellio, accountId, 'vic@example.org', 'viewer');
    const { page, errors, context } = await operatorOn('/members');
    await page.getByRole('heading', { level: 1, name: 'Members' }).waitFor();
    await page.getByRole('table', { name: 'Members, oldest first' }).waitFor();

    const invite = page.getByRole('region', { name: 'Invite someone' });
    await invite.getByLabel('Email').fill('dana@example.org');
    await invite.getByLabel('Role').selectOption('developer');
    await invite.getByRole('button', { name: 'Invite' }).click();
    await invite.getByRole('status').filter({ hasText: 'Invitation sent to dana@example.org' }).waitFor();
    const invitations = page.getByRole('table', { name: 'Open invitations, newest first' });
    await invitations.getByRole('row').filter({ hasText: 'dana@example.org' }).waitFor();
    const open = await fromPage<{ data: { email: string; role: string }[] }>(page, `/accounts/${accountId}/invitations`);
    expect(open.data).toEqual([expect.objectContaining({ email: 'dana@example.org', role: 'developer' })]);
    // A second one, withdrawn with its confirmation.
    await invite.getByLabel('Email').fill('eve@example.org');
    await invite.getByRole('button', { name: 'Invite' }).click();
    await invitations.getByRole('row').filter({ hasText: 'eve@example.org' }).waitFor();
    await page.getByRole('button', { name: 'Revoke the invitation of eve@example.org' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke invitation' }).click();
    // Gone from the list only counts once the dialog has closed (behind it the page is hidden from role locators).
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await invitations.getByRole('row').filter({ hasText: 'eve@example.org' }).waitFor({ state: 'detached' });
    expect((await fromPage<{ data: { email: string }[] }>(page, `/accounts/${accountId}/invitations`)).data.map((i) => i.email)).toEqual(['dana@example.org']);

    // Vic becomes an admin.
    await page.getByLabel('Role of vic@example.org').selectOption('admin');
    await expect
      .poll(async () => (await fromPage<{ data: { user_id: string; role: string }[] }>(page, `/accounts/${accountId}/members`)).data.find((m) => m.user_id === vic.id)?.role)
      .toBe('admin');
    await screenshot(page, 'members');
    expect(errors).toEqual([]);
    await context.close();

    // A viewer reads the list but gets no controls.
    const viewer = await createMember(hellio, accountId, 'walt@example.org', 'viewer');
    const v = await visit(browser, hellio.url);
    await logIn(v.page, hellio, viewer.email, viewer.password);
    await v.page.goto(`${hellio.url}/dashboard/accounts/${accountId}/members`);
    await v.page.getByRole('table', { name: 'Members, oldest first' }).getByRole('row').filter({ hasText: 'vic@example.org' }).waitFor();
    expect(await v.page.getByRole('button', { name: 'Invite' }).count()).toBe(0);
    expect(await v.page.getByLabel('Role of vic@example.org').count()).toBe(0);
    expect(await v.page.getByRole('button', { name: /^Remove/ }).count()).toBe(0);
    expect(v.errors).toEqual([]);
    await v.context.close();
  });

  it('sandbox: a message sent with a test key is in the inbox, and the recipient filter finds it', async () => {
    const { page, errors, context } = await operatorOn('/sandbox');
    await page.getByRole('heading', { level: 1, name: 'Sandbox' }).waitFor();
    const inbox = page.getByRole('list', { name: 'Received messages' });
    await inbox.waitFor();
    await page.getByLabel('Recipient').fill('+14155550199');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect.poll(() => inbox.getByRole('listitem').count()).toBe(1);
    expect(await inbox.getByRole('listitem').textContent()).toContain('Sandbox hello 4242');
    const api = await fromPage<{ data: { to: string; body: string }[] }>(page, `/accounts/${accountId}/sandbox/inbox?to=${encodeURIComponent('+14155550199')}`);
    expect(api.data).toEqual([expect.objectContaining({ to: '+14155550199', body: 'Sandbox hello 4242' })]);
    await page.getByLabel('Recipient').fill('+19999999999');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByText('Nothing received by +19999999999.').waitFor();
    await page.getByRole('button', { name: 'Show all' }).click();
    await expect.poll(() => inbox.getByRole('listitem').count()).toBeGreaterThan(1);
    await screenshot(page, 'sandbox');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('lookups: the number lookups and email verifications made with a key are listed', async () => {
    const lookup = await hellio.call<{ id: string; valid: boolean }>('POST', '/lookup', { key: keys.live, body: { number: '+447911123456' } });
    expect(lookup.status).toBe(200);
    const verification = await hellio.call<{ result: string }>('POST', '/email/verify', { key: keys.test, body: { email: 'not an address' } });
    expect(verification.status).toBe(200);
    const { page, errors, context } = await operatorOn('/lookups');
    await page.getByRole('heading', { level: 1, name: 'Lookups' }).waitFor();
    const lookups = page.getByRole('table', { name: 'Number lookups, newest first' });
    await lookups.waitFor();
    expect(await lookups.locator('tbody tr').count()).toBe(1);
    expect(await lookups.locator('tbody tr').textContent()).toContain(lookup.body.valid ? 'valid' : 'invalid');
    const verifications = page.getByRole('table', { name: 'Email verifications, newest first' });
    await verifications.waitFor();
    expect(await verifications.locator('tbody tr').textContent()).toContain(verification.body.result);
    expect(await verifications.locator('tbody tr').textContent()).toContain('not an address');
    await screenshot(page, 'lookups');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('audit log: the changes made earlier, by whom', async () => {
    const { page, errors, context } = await operatorOn('/audit');
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    const log = page.getByRole('table', { name: 'Audit log, newest first' });
    await log.waitFor();
    const invite = log.getByRole('row').filter({ hasText: 'member.invite' }).filter({ hasText: 'dana@example.org' });
    expect(await invite.count()).toBe(1);
    expect(await invite.textContent()).toContain(OPERATOR.email);
    expect(await log.getByRole('row').filter({ hasText: 'billing.caps' }).count()).toBe(1);
    expect(await log.getByRole('row').filter({ hasText: 'member.role' }).count()).toBe(1);
    const api = await fromPage<{ data: unknown[] }>(page, `/accounts/${accountId}/audit?limit=20`);
    expect(await log.locator('tbody tr').count()).toBe(api.data.length);
    await screenshot(page, 'audit');
    // The action filter.
    await page.getByLabel('Action').selectOption('billing.caps');
    await expect.poll(() => log.locator('tbody tr').count()).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('settings: turning TOTP on shows the recovery codes once; logging in again then needs a code', async () => {
    const tess = await createMember(hellio, accountId, 'tess@example.org', 'developer', 'tess password 1');
    // A session of a script, signed in before the second factor was on.
    expect((await hellio.call('POST', '/auth/login', { body: { email: tess.email, password: tess.password } })).status).toBe(200);
    const { page, errors, context } = await visit(browser, hellio.url);
    await logIn(page, hellio, tess.email, tess.password);
    await page.goto(`${hellio.url}/dashboard/settings`);
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await page.getByRole('table', { name: 'Your sessions, newest first' }).getByText('this one').waitFor();

    // The name, saved through PATCH /auth/me.
    await page.getByLabel('Name', { exact: true }).fill('Tess Tester');
    await page.getByRole('button', { name: 'Save name' }).click();
    await page.getByText('Name saved.').waitFor();
    expect((await fromPage<{ user: { name: string } }>(page, '/auth/me')).user.name).toBe('Tess Tester');

    await page.getByRole('button', { name: 'Set up two-factor authentication' }).click();
    const secret = (await page.getByLabel('Secret', { exact: true }).textContent())!.trim();
    expect(secret).toMatch(/^[A-Z2-7]+=*$/);
    await page.getByLabel('Code from the app').fill('000000' === totp(secret) ? '111111' : '000000');
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('region', { name: 'Two-factor authentication' }).getByRole('alert').waitFor();
    const enabledAt = Date.now();
    await page.getByLabel('Code from the app').fill(totp(secret, enabledAt));
    await page.getByRole('button', { name: 'Turn on' }).click();
    const codes = page.getByRole('region', { name: 'Recovery codes' });
    await codes.waitFor();
    expect(await codes.getByRole('listitem').count()).toBe(10);
    expect((await fromPage<{ user: { totp_enabled: boolean } }>(page, '/auth/me')).user.totp_enabled).toBe(true);
    await screenshot(page, 'settings');
    await page.getByRole('button', { name: 'I saved them' }).click();
    await codes.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Log out', exact: true }).click();
    await page.waitForURL(/\/dashboard\/login/);

    // Logging in again: the password alone is not enough.
    await page.getByLabel('Email').fill(tess.email);
    await page.getByLabel('Password').fill(tess.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    const code = page.getByLabel('Authentication code');
    await code.waitFor();
    expect(page.url()).toContain('/dashboard/login');
    // The code that turned it on is spent; the app's next one (within the drift window) works.
    await code.fill(totp(secret, enabledAt + 30_000));
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.url()).not.toContain('/login');
    expect((await fromPage<{ user: { email: string } }>(page, '/auth/me')).user.email).toBe(tess.email);

    // Log out everywhere: Tess's session from before (a script's) ends, this one stays.
    await page.goto(`${hellio.url}/dashboard/settings`);
    const list = page.getByRole('table', { name: 'Your sessions, newest first' });
    await list.getByText('this one').waitFor();
    expect(await list.locator('tbody tr').count()).toBe(2);
    await page.getByRole('button', { name: 'Log out everywhere' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Log out other sessions' }).click();
    await page.getByRole('status').filter({ hasText: '1 other session ended.' }).waitFor();
    await expect.poll(() => list.locator('tbody tr').count()).toBe(1);
    const sessions = await fromPage<{ data: { current: boolean }[] }>(page, '/auth/sessions');
    expect(sessions.data).toEqual([expect.objectContaining({ current: true })]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('settings: a password changed from the page (with the current one) signs out, and only the new one signs in', async () => {
    const paul = await createMember(hellio, accountId, 'paul@example.org', 'viewer', 'paul password 1');
    const { page, errors, context } = await visit(browser, hellio.url);
    await logIn(page, hellio, paul.email, paul.password);
    await page.goto(`${hellio.url}/dashboard/settings`);
    await page.getByLabel('Current password').fill('not my password');
    await page.getByLabel('New password').fill('paul password 2');
    await page.getByRole('button', { name: 'Change password' }).click();
    expect(await page.getByRole('region', { name: 'Password' }).getByRole('alert').textContent()).toContain('current password is not right');
    await page.getByLabel('Current password').fill(paul.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.waitForURL(/\/dashboard\/login/);
    expect((await hellio.call('POST', '/auth/login', { body: { email: paul.email, password: paul.password } })).status).toBe(401);
    await logIn(page, hellio, paul.email, 'paul password 2');
    expect((await fromPage<{ user: { email: string } }>(page, '/auth/me')).user.email).toBe(paul.email);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('roles: a viewer reads billing without the caps form; a developer has no Billing, no wallet on the Overview, and no Audit log', async () => {
    const viewer = await createMember(hellio, accountId, 'vera@example.org', 'viewer');
    const v = await visit(browser, hellio.url);
    await logIn(v.page, hellio, viewer.email, viewer.password);
    await v.page.goto(`${hellio.url}/dashboard/accounts/${accountId}/billing`);
    await v.page.getByRole('table', { name: 'Ledger, newest first' }).waitFor();
    await v.page.getByText('Owners and admins change these.').waitFor();
    expect(await v.page.getByRole('button', { name: 'Save caps' }).count()).toBe(0);
    expect(await v.page.getByRole('link', { name: 'Download CSV' }).count()).toBe(1);
    expect(v.errors).toEqual([]);
    await v.context.close();

    const dev = await createMember(hellio, accountId, 'dev@example.org', 'developer');
    const d = await visit(browser, hellio.url);
    await logIn(d.page, hellio, dev.email, dev.password);
    await d.page.goto(`${hellio.url}/dashboard/accounts/${accountId}`);
    await d.page.getByRole('table', { name: 'Delivery by channel, last 24 hours' }).waitFor();
    expect(await d.page.getByRole('region', { name: 'Wallet and spend' }).count()).toBe(0);
    expect(await d.page.getByRole('link', { name: 'Billing' }).count()).toBe(0);
    expect(await d.page.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
    // The server agrees: the wallet is not a developer's to read.
    expect((await d.page.evaluate((id) => fetch(`/accounts/${id}/balance`).then((r) => r.status), accountId))).toBe(403);
    expect(d.errors).toEqual([]);
    await d.context.close();
  });
});
