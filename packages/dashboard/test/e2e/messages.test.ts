/**
 * Messages in a real browser against a real `hellio start`: filters in the URL, an SMS's timeline
 * up to `delivered`, webhooks included, and a retried SMS's failed attempt with the network's answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshot, visit } from '../support/browser.ts';
import { startHellio, type Hellio } from '../support/hellio.ts';
import { createMember, logIn, OPERATOR, setUp } from '../support/people.ts';
import { startReceiver, type Receiver } from '../support/webhooks.ts';

let hellio: Hellio;
let browser: Browser;
let receiver: Receiver;

beforeAll(async () => {
  [hellio, browser, receiver] = await Promise.all([startHellio({ HELLIO_WEBHOOKS_ALLOW_PRIVATE: 'true' }), launchBrowser(), startReceiver()]);
});
afterAll(async () => {
  await browser?.close();
  await hellio?.stop();
  await receiver?.close();
});

interface ApiMessage {
  id: string;
  status: string;
  price: string;
  currency: string;
  events: Array<{ status: string; detail: string | null; attempt: number | null; next_attempt_at: string | null }>;
}

describe('messages', () => {
  it('an SMS sent with a live key reaches delivered in its timeline, with the provider’s answers and the webhook attempt it caused; the list filters by recipient, kept in the URL', async () => {
    const { page, errors, context } = await visit(browser, hellio.url);
    const accountId = await setUp(page, hellio, 'Texts Ltd');
    const { key } = await hellio.cli<{ key: string }>('keys', 'create', '--account', accountId, '--scopes', 'sms:send,reports,webhooks', '--name', 'e2e');
    await hellio.cli('wallet', 'topup', '--account', accountId, '--amount', '10.00');
    await hellio.cli('senders', 'approve', '--account', accountId, '--sender', 'HELLIO');
    const hook = await hellio.call<{ id: string }>('POST', '/webhooks', { key, body: { url: receiver.url('/delivered'), events: ['message.delivered'] } });
    expect(hook.status).toBe(200);

    const to = '+447911123456';
    const send = (body: object) => hellio.call<{ messages: Array<{ id: string }>; campaign_id: string | null }>('POST', '/sms/send', { key, body: { from: 'HELLIO', ...body } });
    const sent = await send({ to, message: 'Your order has shipped' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    const id = sent.body.messages[0]!.id;
    // Others, so that the filter has something to leave out: one more message and a campaign of two.
    expect((await send({ to: '+447911123457', message: 'Another customer' })).status).toBe(200);
    const campaign = await send({ to: ['+447911123458', '+447911123459'], message: 'Spring sale' });
    expect(campaign.status).toBe(200);

    await page.getByRole('link', { name: 'Messages', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Messages' }).waitFor();
    const table = page.getByRole('table', { name: 'Messages' });
    await expect.poll(() => table.getByRole('row').count()).toBe(5); // a header and four messages
    await page.getByRole('table', { name: 'Campaigns' }).getByRole('link', { name: campaign.body.campaign_id! }).waitFor();

    await page.getByLabel('Recipient').fill('+44 7911 123456');
    await page.getByLabel('Channel').selectOption('sms');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/recipient=/);
    await expect.poll(() => table.getByRole('row').count()).toBe(2);
    // The same filter through the API answers the same one message.
    const filtered = await hellio.call<{ data: Array<{ id: string }> }>('GET', `/messages?recipient=${encodeURIComponent(to)}&channel=sms`, { key });
    expect(filtered.body.data.map((m) => m.id)).toEqual([id]);
    // The filters survive a reload: they live in the URL.
    await page.reload();
    expect(await page.getByLabel('Recipient').inputValue()).toBe('+44 7911 123456');
    expect(await page.getByLabel('Channel').inputValue()).toBe('sms');
    await expect.poll(() => table.getByRole('row').count()).toBe(2);

    // Dates: today (the reader's) keeps it; from tomorrow on there is nothing.
    const day = (plus: number) => page.evaluate((p) => {
      const d = new Date();
      d.setDate(d.getDate() + p);
      return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    }, plus);
    await page.getByLabel('From date').fill(await day(0));
    await page.getByLabel('Until date').fill(await day(0));
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/until=/);
    await expect.poll(() => table.getByRole('row').count()).toBe(2);
    await page.getByLabel('From date').fill(await day(1));
    await page.getByLabel('Until date').fill(await day(1));
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No message matches these filters.').waitFor();
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => table.getByRole('row').count()).toBe(5);
    await expect.poll(() => page.url()).not.toContain('recipient=');
    await screenshot(page, 'messages');

    // The message: its timeline grows to delivered on its own.
    await table.getByRole('link', { name: to }).click();
    await page.waitForURL(new RegExp(`/messages/${id}$`));
    const timeline = page.getByRole('list', { name: 'Timeline' });
    await timeline.getByRole('listitem', { name: 'Step delivered' }).waitFor({ timeout: 30_000 });
    const m = (await hellio.call<ApiMessage>('GET', `/messages/${id}`, { key })).body;
    expect(m.status).toBe('delivered');
    expect(m.events.map((e) => e.status)).toEqual(['queued', 'sending', 'sent', 'delivered']);
    for (const step of ['queued', 'sending', 'sent']) await timeline.getByRole('listitem', { name: `Step ${step}` }).waitFor();
    // The provider's own answers, as the API stores them: who took it, and the receipt.
    const sentDetail = m.events.find((e) => e.status === 'sent')!.detail!;
    const receipt = m.events.find((e) => e.status === 'delivered')!.detail!;
    expect(sentDetail).toMatch(/^accepted by simulator \(id sim-[0-9a-f]+\)$/);
    expect(receipt).toMatch(/DELIVRD/);
    await timeline.getByRole('listitem', { name: 'Step sent' }).getByText(sentDetail).waitFor();
    await timeline.getByRole('listitem', { name: 'Step delivered' }).getByText(receipt).waitFor();
    // The price shown is the API's.
    const details = page.getByRole('region', { name: 'Details' });
    const [whole, frac = ''] = m.price.split('.');
    await details.getByText(`${whole}.${frac.replace(/0+$/, '').padEnd(2, '0')} ${m.currency}`, { exact: true }).waitFor();

    // The webhook the delivery caused: its attempt, answered 200 by the receiver.
    const attempt = timeline.getByRole('listitem', { name: 'Webhook message.delivered attempt 1' });
    await attempt.getByText('HTTP 200').waitFor({ timeout: 30_000 });
    const hooks = await hellio.call<{ data: Array<{ event_type: string; status: string; endpoint_id: string; attempts: Array<{ status_code: number; duration_ms: number }> }> }>(
      'GET',
      `/messages/${id}/webhook-deliveries`,
      { key },
    );
    expect(hooks.body.data).toEqual([expect.objectContaining({ event_type: 'message.delivered', status: 'succeeded', endpoint_id: hook.body.id })]);
    await attempt.getByText(`${hooks.body.data[0]!.attempts[0]!.duration_ms} ms`).waitFor();
    const arrived = receiver.at('/delivered').map((r) => JSON.parse(r.body) as { type: string; data: { id: string } });
    expect(arrived).toContainEqual(expect.objectContaining({ type: 'message.delivered', data: expect.objectContaining({ id }) }));
    await screenshot(page, 'message-timeline');

    // The campaign: its counts by status are the API's.
    await page.goto(`${hellio.url}/dashboard/accounts/${accountId}/campaigns/${campaign.body.campaign_id}`);
    const counts = page.getByRole('table', { name: 'Messages by status' });
    await counts.waitFor();
    // Once both messages are final, the page's counts are the API's.
    const campaignOf = async () => (await hellio.call<{ total_messages: number; status_counts: Record<string, number> }>('GET', `/campaigns/${campaign.body.campaign_id}`, { key })).body;
    const final = ['delivered', 'failed', 'undelivered', 'bounced', 'complained', 'canceled'];
    const finished = async () => {
      const counts = (await campaignOf()).status_counts;
      return final.reduce((n, s) => n + (counts[s] ?? 0), 0);
    };
    await expect.poll(finished, { timeout: 30_000 }).toBe(2);
    const c = await campaignOf();
    expect(c.total_messages).toBe(2);
    const expected = Object.entries(c.status_counts)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${s} ${n}`);
    await expect
      .poll(async () => (await counts.getByRole('row').allInnerTexts()).slice(1).map((r) => r.replace(/\s+/g, ' ').trim()), { timeout: 15_000 })
      .toEqual(expected);
    await expect.poll(() => page.getByRole('table', { name: 'Messages of the campaign' }).getByRole('row').count()).toBe(3);

    // Paging: 26 messages make two pages of 25 and 1, as the API's next_cursor says.
    const more = Array.from({ length: 22 }, (_, i) => `+4479111235${String(i).padStart(2, '0')}`);
    expect((await send({ to: more, message: 'Page filler' })).status).toBe(200);
    const first = (await hellio.call<{ data: Array<{ id: string; to: string }>; next_cursor: string | null }>('GET', '/messages?limit=25', { key })).body;
    const second = (await hellio.call<{ data: Array<{ id: string; to: string }>; next_cursor: string | null }>('GET', `/messages?limit=25&cursor=${first.next_cursor}`, { key })).body;
    expect([first.data.length, second.data.length, second.next_cursor]).toEqual([25, 1, null]);
    await page.getByRole('link', { name: 'Messages', exact: true }).click();
    await expect.poll(() => table.getByRole('row').count()).toBe(26);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.waitForURL(/cursor=/);
    await expect.poll(() => table.getByRole('row').count()).toBe(2);
    expect(await table.getByRole('link').first().textContent()).toBe(second.data[0]!.to);
    expect(await page.getByRole('button', { name: 'Next page' }).count()).toBe(0);
    await page.getByRole('button', { name: 'First page' }).click();
    await expect.poll(() => table.getByRole('row').count()).toBe(26);

    expect(errors).toEqual([]);
    await context.close();

    // On a phone, in the dark: the timeline and the list fit the width (wide tables scroll inside themselves).
    const phone = await visit(browser, hellio.url, { viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    await logIn(phone.page, hellio, OPERATOR.email, OPERATOR.password);
    for (const path of [`messages/${id}`, 'messages', `campaigns/${campaign.body.campaign_id}`]) {
      await phone.page.goto(`${hellio.url}/dashboard/accounts/${accountId}/${path}`);
      await phone.page.getByRole('heading', { level: 1 }).waitFor();
      // Every section's loading state over (a page may load several lists at once).
      await expect.poll(() => phone.page.getByRole('status').filter({ hasText: 'Loading' }).count()).toBe(0);
      expect(await phone.page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(390);
    }
    await phone.page.goto(`${hellio.url}/dashboard/accounts/${accountId}/messages/${id}`);
    await phone.page.getByRole('list', { name: 'Timeline' }).getByRole('listitem', { name: 'Step delivered' }).waitFor();
    expect(phone.errors).toEqual([]);
    await phone.context.close();
  });
  it('an SMS whose first attempt meets a temporary network error shows that attempt with the network’s answer and its next try, then delivered', async () => {
    // Its own account and person: this test does not lean on the one above.
    const accountId = (await hellio.cli<{ id: string }>('accounts', 'create', '--name', 'Flaky Networks')).id;
    const dev = await createMember(hellio, accountId, 'dev@flaky.example', 'developer');
    const { key } = await hellio.cli<{ key: string }>('keys', 'create', '--account', accountId, '--scopes', 'sms:send,reports', '--name', 'e2e');
    await hellio.cli('wallet', 'topup', '--account', accountId, '--amount', '5.00');
    await hellio.cli('senders', 'approve', '--account', accountId, '--sender', 'HELLIO');
    // docs/simulators.md: the first attempt to this number meets a temporary error; the retry is delivered.
    const sent = await hellio.call<{ messages: Array<{ id: string }> }>('POST', '/sms/send', { key, body: { from: 'HELLIO', to: '+15005550004', message: 'Second time lucky' } });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
    const id = sent.body.messages[0]!.id;

    const { page, errors, context } = await visit(browser, hellio.url);
    await logIn(page, hellio, dev.email, dev.password);
    await page.goto(`${hellio.url}/dashboard/accounts/${accountId}/messages/${id}`);
    const timeline = page.getByRole('list', { name: 'Timeline' });
    // The failed attempt shows up while the message is still being sent, and the page follows it to delivered.
    await timeline.getByRole('listitem', { name: 'Attempt 1 failed' }).waitFor({ timeout: 30_000 });
    await timeline.getByRole('listitem', { name: 'Step delivered' }).waitFor({ timeout: 30_000 });

    const m = (await hellio.call<ApiMessage>('GET', `/messages/${id}`, { key })).body;
    expect(m.status).toBe('delivered');
    expect(m.events.map((e) => e.status)).toEqual(['queued', 'sending', 'retrying', 'sent', 'delivered']);
    const retried = m.events[2]!;
    expect(retried).toMatchObject({ attempt: 1, detail: 'simulator: ESME_RSYSERR simulated temporary network error' });
    // What the page shows is the API's: the network's answer, and the next try in the reader's time.
    const attempt = timeline.getByRole('listitem', { name: 'Attempt 1 failed' });
    await attempt.getByText(retried.detail!, { exact: true }).waitFor();
    const nextTry = await page.evaluate((iso) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }), retried.next_attempt_at!);
    expect(await attempt.locator('time').getAttribute('datetime')).toBe(retried.next_attempt_at);
    expect(await attempt.locator('time').textContent()).toBe(nextTry);
    // Then the retry: taken by the network with its id, and the receipt.
    await timeline.getByRole('listitem', { name: 'Step sent' }).getByText(m.events[3]!.detail!, { exact: true }).waitFor();
    await timeline.getByRole('listitem', { name: 'Step delivered' }).getByText(m.events[4]!.detail!, { exact: true }).waitFor();
    // In that order on the page, as in the API's timeline.
    const names = await timeline.getByRole('listitem').evaluateAll((items) => items.map((li) => li.getAttribute('aria-label')));
    expect(names).toEqual(['Step queued', 'Step sending', 'Attempt 1 failed', 'Step sent', 'Step delivered']);
    await screenshot(page, 'message-retried');

    expect(errors).toEqual([]);
    await context.close();
  });
});
