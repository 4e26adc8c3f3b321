/** First run and signing in, in a real browser against a real `hellio start`. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshot, visit } from '../support/browser.ts';
import { startHellio, type Hellio } from '../support/hellio.ts';
import { logIn, OPERATOR, setUp } from '../support/people.ts';

let hellio: Hellio;
let browser: Browser;

beforeAll(async () => {
  [hellio, browser] = await Promise.all([startHellio(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await hellio?.stop();
});

describe('first run', () => {
  it('the setup link makes the first operator, signed in on their new account; the link then says Hellio is set up', async () => {
    const { page, errors, context } = await visit(browser, hellio.url);
    await page.goto(hellio.setupLink);
    await screenshot(page, 'setup');
    const accountId = await setUp(page, hellio, 'Acme');
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    const me = await page.evaluate(() => fetch('/auth/me').then((r) => r.json()));
    expect(me.user).toMatchObject({ email: OPERATOR.email, operator: true });
    expect(me.accounts).toEqual([expect.objectContaining({ id: accountId, name: 'Acme', role: 'owner' })]);
    await page.getByRole('link', { name: 'Admin', exact: true }).waitFor();

    // The link works once: opened again it says so, and sends people to log in.
    await page.goto(hellio.setupLink);
    await page.getByRole('heading', { name: 'Hellio is set up' }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('log in: a wrong password is refused with the API\'s message; the right one lets the operator in, and log out ends the session', async () => {
    const { page, errors, context } = await visit(browser, hellio.url);
    await page.goto(`${hellio.url}/dashboard/`);
    await page.waitForURL(/\/dashboard\/login/);
    await page.getByLabel('Email').fill(OPERATOR.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/invalid email or password/i);
    await screenshot(page, 'login');
    expect(page.url()).toContain('/dashboard/login');

    await logIn(page, hellio, OPERATOR.email, OPERATOR.password);
    await page.getByRole('link', { name: 'API Keys' }).waitFor();
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/dashboard\/login/);
    // The cookie the browser still holds no longer opens anything.
    const status = await page.evaluate(() => fetch('/auth/me').then((r) => r.status));
    expect(status).toBe(401);
    expect(errors).toEqual([]);
    await context.close();
  });
});
