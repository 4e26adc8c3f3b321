/** The Overview page in a real browser: its figures are the API's, its windows switch, and it has manners. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot, visit } from '../support/browser.ts';
import { startHellio, type Hellio } from '../support/hellio.ts';
import { logIn, OPERATOR, setUp } from '../support/people.ts';
import { amountIn, fromPage, fund, sendEmail, sendSms, settled } from '../support/traffic.ts';

let hellio: Hellio;
let browser: Browser;
let accountId: string;
let statuses: Record<string, string>;
let failedSms: string;

interface Channel {
  channel: string;
  count: number;
  delivered: number;
  failed: number;
  bounced: number;
  rates: { delivered: string; failed: string; bounced: string };
}
interface Usage {
  data: { channel: string; count: number }[];
  channels: Channel[];
  totals: { count: number };
}

beforeAll(async () => {
  [hellio, browser] = await Promise.all([startHellio(), launchBrowser()]);
  // The first operator, through the setup page; their account gets money, senders and traffic.
  const { page, context } = await visit(browser, hellio.url);
  accountId = await setUp(page, hellio, 'Acme');
  await context.close();
  const { live } = await fund(hellio, accountId);
  const sms = await sendSms(hellio, live, ['+14155550101', '+14155550102', '+15005550001', '+15005550002']);
  failedSms = sms[2]!;
  const email = await sendEmail(hellio, live, ['ada@example.org', 'bounce@simulator.hellio.dev']);
  statuses = await settled(hellio, live, [...sms, ...email]);
});
afterAll(async () => {
  await browser?.close();
  await hellio?.stop();
});

/** The row of a channel in the delivery table, as cell texts. */
async function channelRow(page: Page, channel: string): Promise<string[]> {
  const table = page.getByRole('table', { name: /Delivery by channel/ });
  const row = table.getByRole('row').filter({ has: page.getByRole('cell', { name: channel, exact: true }) });
  return row.getByRole('cell').allTextContents();
}

/** What sticks out past the right edge of a phone (for the failure message). */
async function overflowing(page: Page): Promise<string> {
  return page.evaluate(() =>
    [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > 391)
      .slice(0, 8)
      .map((e) => `${e.tagName.toLowerCase()}.${String(e.className).slice(0, 60)} → ${Math.round(e.getBoundingClientRect().right)}`)
      .join('\n'),
  );
}

/** The table of numbers under a chart, opened as a person opens it (its summary). */
async function chartNumbers(page: Page, title: string) {
  const chart = page.getByRole('figure').filter({ hasText: title });
  const details = chart.locator('details');
  if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await chart.getByText(`${title}: the numbers`).click();
  return chart.getByRole('table', { name: title });
}

describe('overview', () => {
  it("shows the balance, today's spend and the delivery rates the API answers; the window switches; failures link to their message", async () => {
    // The simulators did what docs/simulators.md says; the rates below rest on it.
    expect(Object.values(statuses).sort()).toEqual(['bounced', 'delivered', 'delivered', 'delivered', 'failed', 'undelivered']);

    const { page, errors, context } = await visit(browser, hellio.url);
    await logIn(page, hellio, OPERATOR.email, OPERATOR.password);
    await page.goto(`${hellio.url}/dashboard/accounts/${accountId}`);
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();

    // Money: the balance and today's spend are the API's.
    const balance = await fromPage<{ balance: string; spend_caps: { daily: { used: string }; monthly: { used: string } } }>(page, `/accounts/${accountId}/balance`);
    const wallet = page.getByRole('region', { name: 'Wallet and spend' });
    const figure = (label: string) => wallet.locator('div', { has: page.locator('dt', { hasText: label }) }).locator('dd').first();
    await figure('Balance').waitFor();
    expect(amountIn(await figure('Balance').textContent())).toBe(Number(balance.balance));
    expect(amountIn(await figure('Spent today').textContent())).toBe(Number(balance.spend_caps.daily.used));
    expect(Number(balance.spend_caps.daily.used)).toBeGreaterThan(0);
    // 10.00 was topped up; what was spent and not refunded is gone.
    const ledger = await fromPage<{ data: { amount: string }[] }>(page, `/accounts/${accountId}/ledger?limit=100`);
    expect(Number(balance.balance)).toBeCloseTo(ledger.data.reduce((n, r) => n + Number(r.amount), 0), 4);

    // Delivery over 24 hours: each channel's figures are the usage route's, and mean what the messages say.
    await page.getByRole('table', { name: 'Delivery by channel, last 24 hours' }).waitFor();
    const day = await fromPage<Usage>(page, `/accounts/${accountId}/usage?granularity=hour`);
    const sms = day.channels.find((c) => c.channel === 'sms')!;
    const email = day.channels.find((c) => c.channel === 'email')!;
    expect(sms).toMatchObject({ count: 4, delivered: 2, failed: 2, bounced: 0, rates: { delivered: '50.0', failed: '50.0', bounced: '0.0' } });
    expect(email).toMatchObject({ count: 2, delivered: 1, failed: 0, bounced: 1, rates: { delivered: '50.0', failed: '0.0', bounced: '50.0' } });
    for (const c of [sms, email]) {
      const [, messages, delivered, failed, bounced] = await channelRow(page, c.channel);
      expect(Number(messages)).toBe(c.count);
      expect(delivered).toBe(`${c.rates.delivered} % (${c.delivered})`);
      expect(failed).toBe(`${c.rates.failed} % (${c.failed})`);
      expect(bounced).toBe(`${c.rates.bounced} % (${c.bounced})`);
    }

    // The chart's numbers (its accessible table) add up to the same volumes.
    const chart = page.getByRole('figure').filter({ hasText: 'Messages per channel, last 24 hours' });
    const numbers = await chartNumbers(page, 'Messages per channel, last 24 hours');
    const head = await numbers.getByRole('columnheader').allTextContents();
    const rows = await numbers.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(rows.length).toBeGreaterThanOrEqual(24);
    const column = (label: string) => rows.reduce((n, r) => n + Number(r[head.indexOf(label)]), 0);
    expect(column('SMS')).toBe(sms.count);
    expect(column('EMAIL')).toBe(email.count);
    // uPlot drew a canvas.
    expect(await chart.locator('canvas').count()).toBeGreaterThan(0);

    // Latest failures: with their reasons, each a link to its message.
    const failures = page.getByRole('table', { name: 'Latest failures' });
    await failures.waitFor();
    const failedMessage = await fromPage<{ error: string; to: string }>(page, `/accounts/${accountId}/messages/${failedSms}`);
    expect(failedMessage.error).toBeTruthy();
    const failedRow = failures.getByRole('row').filter({ hasText: '+15005550001' });
    expect(await failedRow.textContent()).toContain(failedMessage.error);
    expect(await failures.getByRole('row').filter({ hasText: 'bounce@simulator.hellio.dev' }).count()).toBe(1);
    expect(await failures.getByRole('row').filter({ hasText: '+15005550002' }).count()).toBe(1);
    await screenshot(page, 'overview');

    // Another window: 7 days, hourly — the same messages, the chart over 7 days.
    await page.getByRole('radio', { name: '7 days' }).check();
    await page.getByRole('table', { name: 'Delivery by channel, last 7 days' }).waitFor();
    const week = await fromPage<Usage>(page, `/accounts/${accountId}/usage?granularity=hour&from=${encodeURIComponent(new Date(Date.now() - 7 * 86_400_000).toISOString())}`);
    const [, weekSms, weekDelivered] = await channelRow(page, 'sms');
    const wSms = week.channels.find((c) => c.channel === 'sms')!;
    expect(Number(weekSms)).toBe(wSms.count);
    expect(weekDelivered).toBe(`${wSms.rates.delivered} % (${wSms.delivered})`);
    // (uPlot's legend is a table too: count the rows of the chart's own numbers.)
    const weekHours = await (await chartNumbers(page, 'Messages per channel, last 7 days')).locator('tbody tr').count();
    expect(weekHours).toBeGreaterThanOrEqual(7 * 24);
    expect(weekHours).toBeLessThanOrEqual(7 * 24 + 1);
    expect(await page.getByRole('radio', { name: '7 days' }).isChecked()).toBe(true);

    // 30 days: daily buckets.
    await page.getByRole('radio', { name: '30 days' }).check();
    await page.getByRole('table', { name: 'Delivery by channel, last 30 days' }).waitFor();
    const days = await (await chartNumbers(page, 'Messages per channel, last 30 days')).locator('tbody tr').count();
    expect(days).toBeGreaterThanOrEqual(30);
    expect(days).toBeLessThanOrEqual(31);

    // A failure's link opens its message.
    await failedRow.getByRole('link').click();
    await page.waitForURL(new RegExp(`/messages/${failedSms}$`));
    expect(errors).toEqual([]);
    await context.close();
  });

  it('has manners: nothing overflows a 390 px phone, and the dark colour scheme is dark', async () => {
    const { page, errors, context } = await visit(browser, hellio.url, { colorScheme: 'dark' });
    await logIn(page, hellio, OPERATOR.email, OPERATOR.password);
    await page.goto(`${hellio.url}/dashboard/accounts/${accountId}`);
    await page.getByRole('table', { name: 'Delivery by channel, last 24 hours' }).waitFor();
    await page.getByRole('table', { name: 'Latest failures' }).waitFor();
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    const lightness = (css: string) => {
      // Tailwind 4 writes oklch(); browsers may also answer rgb().
      const ok = /oklch\(\s*([\d.]+)(%?)/.exec(css);
      if (ok) return Number(ok[1]) / (ok[2] ? 100 : 1);
      const [r, g, b] = (/rgba?\(([^)]+)\)/.exec(css)?.[1] ?? '255,255,255').split(',').map((v) => Number(v.trim()) / 255);
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    expect(lightness(background), background).toBeLessThan(0.25);
    await screenshot(page, 'overview-dark');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth), await overflowing(page)).toBeLessThanOrEqual(390);
    await page.getByRole('radio', { name: '7 days' }).check();
    await page.getByRole('table', { name: 'Delivery by channel, last 7 days' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth), await overflowing(page)).toBeLessThanOrEqual(390);
    expect(lightness(await page.evaluate(() => getComputedStyle(document.body).backgroundColor))).toBeGreaterThan(0.8);
    await screenshot(page, 'overview-phone');
    expect(errors).toEqual([]);
    await context.close();
  });
});
