/**
 * Manners on every page: reached through the navigation by its link name, each page has its
 * heading, names every control, causes no console error, fits a phone's width, follows the
 * system's dark mode, and starts with a keyboard way past the navigation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, visit } from '../support/browser.ts';
import { startHellio, type Hellio } from '../support/hellio.ts';
import { logIn, OPERATOR, setUp } from '../support/people.ts';

let hellio: Hellio;
let browser: Browser;
let accountId: string;

// The account's pages and the admin console's, by the names of their navigation links.
const ACCOUNT_PAGES = ['Overview', 'API Keys', 'Webhooks', 'IP Allowlist', 'Senders', 'Messages', 'Usage', 'Billing', 'Lookups', 'Sandbox', 'Members', 'Audit log'];
const ADMIN_PAGES = ['Accounts', 'Approvals', 'Prices', 'Routes and providers', 'Users'];

beforeAll(async () => {
  [hellio, browser] = await Promise.all([startHellio({ HELLIO_WEBHOOKS_ALLOW_PRIVATE: 'true' }), launchBrowser()]);
  const { page, context } = await visit(browser, hellio.url);
  accountId = await setUp(page, hellio, 'Manners');
  await context.close();
  // Something on the pages: a key, money, an approved sender, a few messages, a webhook.
  const key = await hellio.cli<{ key: string }>('keys', 'create', '--account', accountId, '--scopes', 'sms:send,email:send,reports,webhooks', '--name', 'manners');
  await hellio.cli('wallet', 'topup', '--account', accountId, '--amount', '5.00');
  await hellio.cli('senders', 'approve', '--account', accountId, '--sender', 'HELLIO');
  for (const to of ['+14155552671', '+14155552672']) {
    const sent = await hellio.call('POST', '/sms/send', { key: key.key, body: { from: 'HELLIO', to, message: 'Manners' } });
    expect(sent.status).toBe(200);
  }
  const hook = await hellio.call('POST', '/webhooks', { key: key.key, body: { url: 'http://127.0.0.1:9/hellio', events: ['message.delivered'] } });
  expect(hook.status, JSON.stringify(hook.body)).toBeLessThan(300);
});
afterAll(async () => {
  await browser?.close();
  await hellio?.stop();
});

/** Controls without an accessible name (a simplified form of the accname rules, enough to catch a bare icon button or an unlabelled field). */
async function unnamedControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const text = (el: Element | null) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
    const nameOf = (el: HTMLElement): string => {
      const labelledBy = el.getAttribute('aria-labelledby');
      if (labelledBy) return labelledBy.split(/\s+/).map((id) => text(document.getElementById(id))).join(' ').trim();
      const aria = el.getAttribute('aria-label');
      if (aria) return aria.trim();
      const labels = (el as HTMLInputElement).labels;
      if (labels && labels.length > 0) return Array.from(labels).map((l) => text(l)).join(' ').trim();
      const own = text(el) || el.getAttribute('title') || (el.querySelector('img[alt]')?.getAttribute('alt') ?? '');
      return own.trim();
    };
    const controls = document.querySelectorAll<HTMLElement>(
      'a[href], button, input:not([type=hidden]), select, textarea, [role=button], [role=checkbox], [role=radio], [role=tab], [role=switch], [role=combobox]',
    );
    return Array.from(controls)
      .filter((el) => el.getClientRects().length > 0 && nameOf(el) === '')
      .map((el) => el.outerHTML.slice(0, 160));
  });
}

/** How far the page is wider than the window (0 when nothing sticks out sideways). */
async function overflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

/** The lightness of the page's background, 0 (black) to 1 (white). */
async function backgroundLightness(page: Page): Promise<number> {
  return page.evaluate(() => {
    const c = getComputedStyle(document.body).backgroundColor;
    const oklch = /oklch\(([\d.]+)(%?)/.exec(c);
    if (oklch) return Number(oklch[1]) / (oklch[2] ? 100 : 1);
    const rgb = /rgba?\(([\d.]+),?\s*([\d.]+),?\s*([\d.]+)/.exec(c);
    if (!rgb) throw new Error(`unreadable background colour ${c}`);
    return (0.2126 * Number(rgb[1]) + 0.7152 * Number(rgb[2]) + 0.0722 * Number(rgb[3])) / 255;
  });
}

/** Opens each page through its navigation link and runs `check` on it. */
async function walk(page: Page, check: (name: string) => Promise<void>): Promise<void> {
  await page.goto(`${hellio.url}/dashboard/accounts/${accountId}`);
  for (const name of ACCOUNT_PAGES) {
    await page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name, exact: true }).click();
    await check(name);
  }
  await page.getByRole('link', { name: 'Admin', exact: true }).click();
  for (const name of ADMIN_PAGES) {
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name, exact: true }).click();
    await check(`Admin: ${name}`);
  }
  await page.getByRole('link', { name: 'Settings', exact: true }).click();
  await check('Settings');
}

/** Waits for the page's heading and for its loading states to end. */
async function settled(page: Page): Promise<void> {
  await page.getByRole('heading', { level: 1 }).first().waitFor();
  await expect.poll(() => page.getByText(/^Loading/).count(), { timeout: 15_000 }).toBe(0);
}

describe('manners', () => {
  it('every page at desktop width in light mode: a heading, every control named, no console error', async () => {
    const { page, errors, context } = await visit(browser, hellio.url);
    await logIn(page, hellio, OPERATOR.email, OPERATOR.password);
    const unnamed: Record<string, string[]> = {};
    await walk(page, async (name) => {
      await settled(page);
      const found = await unnamedControls(page);
      if (found.length > 0) unnamed[name] = found;
    });
    expect(unnamed).toEqual({});
    expect(errors).toEqual([]);
    await context.close();
  });

  it('every page at phone width in dark mode: nothing sticks out sideways and the background is dark', async () => {
    const { page, errors, context } = await visit(browser, hellio.url, { colorScheme: 'dark', viewport: { width: 390, height: 844 } });
    await logIn(page, hellio, OPERATOR.email, OPERATOR.password);
    const wide: Record<string, number> = {};
    await walk(page, async (name) => {
      await settled(page);
      const by = await overflow(page);
      if (by > 0) wide[name] = by;
      expect(await backgroundLightness(page), name).toBeLessThan(0.3);
    });
    expect(wide).toEqual({});
    expect(errors).toEqual([]);
    await context.close();
  });

  it('the keyboard: the first Tab offers "Skip to content", which moves focus to the page itself', async () => {
    const { page, errors, context } = await visit(browser, hellio.url);
    await logIn(page, hellio, OPERATOR.email, OPERATOR.password);
    await page.goto(`${hellio.url}/dashboard/accounts/${accountId}/keys`);
    await settled(page);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    expect(errors).toEqual([]);
    await context.close();
  });
});
