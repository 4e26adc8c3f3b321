/** Webhooks in a real browser against a real `hellio start`: an endpoint made in the dialog, its secret once, tests, failures, replays, rotation. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot, visit } from '../support/browser.ts';
import { startHellio, type Hellio } from '../support/hellio.ts';
import { logIn, OPERATOR, setUp } from '../support/people.ts';
import { signedWith, startReceiver, type Receiver } from '../support/webhooks.ts';

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

interface ApiDelivery {
  id: string;
  status: string;
  attempts: Array<{ status_code: number | null; duration_ms: number }>;
}

/** Adds an endpoint through the "Add endpoint" dialog; answers the secret it showed. */
async function addEndpoint(page: Page, url: string, events: string[], description: string): Promise<string> {
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add endpoint' });
  await dialog.getByLabel('URL').fill(url);
  for (const e of events) await dialog.getByRole('checkbox', { name: e, exact: true }).check();
  await dialog.getByLabel('Description').fill(description);
  await dialog.getByRole('button', { name: 'Create' }).click();
  await dialog.waitFor({ state: 'detached' });
  const shown = page.getByRole('region', { name: 'Signing secret' });
  const secret = (await shown.locator('code').textContent()) ?? '';
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  return secret;
}

describe('webhooks', () => {
  it('an endpoint made in the dialog: its secret shown once, a signed test event, failed attempts, replays of one and of all failed since a time, and a rotated secret shown once', async () => {
    const { page, errors, context } = await visit(browser, hellio.url);
    const accountId = await setUp(page, hellio, 'Hooks Ltd');
    const { key } = await hellio.cli<{ key: string }>('keys', 'create', '--account', accountId, '--scopes', 'webhooks', '--name', 'checks');
    const deliveriesOf = async (id: string) => (await hellio.call<{ data: ApiDelivery[] }>('GET', `/webhooks/${id}/deliveries?limit=100`, { key })).body.data;

    await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
    await page.getByText('No endpoint yet').waitFor();

    // The dialog offers one checkbox per event type, named by the type itself.
    const okUrl = receiver.url('/orders');
    const secret = await addEndpoint(page, okUrl, ['message.delivered', 'message.failed'], 'orders service');
    const list = (await hellio.call<{ data: Array<{ id: string; url: string; events: string[]; enabled: boolean }> }>('GET', '/webhooks', { key })).body;
    expect(list.data).toEqual([expect.objectContaining({ url: okUrl, events: ['message.delivered', 'message.failed'], enabled: true })]);
    const okId = list.data[0]!.id;
    expect(JSON.stringify(list)).not.toContain(secret.slice(6));
    const row = page.getByRole('row', { name: new RegExp(okUrl) });
    await row.getByText('message.delivered').waitFor();
    await row.getByText('enabled').waitFor();

    // Never again: not after dismissing it, not after a reload.
    await page.getByRole('button', { name: 'I have copied it' }).click();
    expect(await page.content()).not.toContain(secret.slice(6));
    await page.reload();
    await page.getByRole('link', { name: okUrl }).waitFor();
    expect(await page.content()).not.toContain(secret.slice(6));

    // A second endpoint whose receiver fails.
    const failUrl = receiver.url('/broken');
    receiver.answer('/broken', 500, 'database is down');
    await addEndpoint(page, failUrl, ['message.sent'], 'broken service');
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await screenshot(page, 'webhooks');

    // The test event arrives, signed with the secret shown once.
    await page.getByRole('link', { name: okUrl }).click();
    await page.getByRole('heading', { level: 1, name: 'Webhook endpoint' }).waitFor();
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByRole('status').filter({ hasText: 'Test event delivered: HTTP 200' }).waitFor();
    const got = receiver.at('/orders');
    expect(got).toHaveLength(1);
    expect(JSON.parse(got[0]!.body)).toMatchObject({ type: 'webhook.test', data: { endpoint_id: okId } });
    expect(signedWith(got[0]!, secret)).toBe(true);
    expect(signedWith(got[0]!, 'whsec_' + Buffer.alloc(32, 1).toString('base64'))).toBe(false);

    // The failing endpoint: two failed tests, each attempt with its status, latency and the answer's text.
    await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
    await page.getByRole('link', { name: failUrl }).click();
    await page.getByRole('heading', { level: 1, name: 'Webhook endpoint' }).waitFor();
    const failId = /webhooks\/(wh_[^/?]+)/.exec(page.url())![1]!;
    const log = page.getByRole('list', { name: 'Delivery log' });
    for (let i = 0; i < 2; i++) {
      await page.getByRole('button', { name: 'Send test event' }).click();
      // The first test's status line stays up until the page re-renders for the second (a tick
      // later): the log's new entry, fetched once the test has answered, says this one is done.
      await expect.poll(() => log.getByRole('listitem').count()).toBe(i + 1);
      await page.getByRole('status').filter({ hasText: 'Test event failed: HTTP 500' }).waitFor();
    }
    await expect.poll(async () => (await deliveriesOf(failId)).map((d) => d.status)).toEqual(['failed', 'failed']);
    const failed = await deliveriesOf(failId);
    for (const d of failed) {
      const item = log.getByRole('listitem', { name: `webhook.test delivery ${d.id}` });
      const attempts = item.getByRole('table', { name: `Attempts of delivery ${d.id}` });
      await attempts.getByText('HTTP 500').waitFor();
      await attempts.getByText(`${d.attempts[0]!.duration_ms} ms`).waitFor();
      await attempts.getByText('database is down').waitFor();
    }

    // The receiver is mended: replay the older one, then everything that failed since an hour ago.
    receiver.answer('/broken', 204, '');
    const [newer, older] = failed as [ApiDelivery, ApiDelivery];
    await log.getByRole('button', { name: `Replay delivery ${older.id}` }).click();
    await log.getByRole('listitem', { name: `webhook.test delivery ${older.id}` }).getByText('HTTP 204').waitFor();
    expect((await deliveriesOf(failId)).find((d) => d.id === older.id)!.attempts.map((a) => a.status_code)).toEqual([500, 204]);

    await page.getByRole('button', { name: 'Replay failed since' }).click();
    await page.getByRole('status').filter({ hasText: 'Replaying 1 failed delivery' }).waitFor();
    await log.getByRole('listitem', { name: `webhook.test delivery ${newer.id}` }).getByText('HTTP 204').waitFor();
    const after = await deliveriesOf(failId);
    expect(after.map((d) => [d.status, d.attempts.map((a) => a.status_code)])).toEqual([
      ['succeeded', [500, 204]],
      ['succeeded', [500, 204]],
    ]);
    expect(receiver.at('/broken')).toHaveLength(4);
    // Nothing failed is left to replay.
    await page.getByRole('button', { name: 'Replay failed since' }).click();
    await page.getByRole('status').filter({ hasText: 'No failed delivery since then' }).waitFor();
    await screenshot(page, 'webhook-deliveries');

    // From the list: disable and enable again, then delete the failing endpoint.
    await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
    const failRow = page.getByRole('row', { name: new RegExp(failUrl) });
    await failRow.getByRole('button', { name: `Disable ${failUrl}` }).click();
    await failRow.getByText('disabled', { exact: true }).waitFor();
    expect((await hellio.call<{ enabled: boolean }>('GET', `/webhooks/${failId}`, { key })).body.enabled).toBe(false);
    await failRow.getByRole('button', { name: `Enable ${failUrl}` }).click();
    await failRow.getByText('enabled', { exact: true }).waitFor();
    expect((await hellio.call<{ enabled: boolean }>('GET', `/webhooks/${failId}`, { key })).body.enabled).toBe(true);
    await failRow.getByRole('button', { name: `Delete ${failUrl}` }).click();
    await page.getByRole('dialog', { name: 'Delete this endpoint?' }).getByRole('button', { name: 'Delete endpoint' }).click();
    await page.getByRole('link', { name: failUrl }).waitFor({ state: 'detached' });
    expect((await hellio.call('GET', `/webhooks/${failId}`, { key })).status).toBe(404);

    // Rotation: a new secret, shown once; both sign for a while, the new one verifies.
    await page.getByRole('link', { name: okUrl }).click();
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page.getByRole('dialog', { name: 'Rotate the signing secret?' }).getByRole('button', { name: 'Rotate now' }).click();
    const rotated = (await page.getByRole('region', { name: 'New signing secret' }).locator('code').textContent()) ?? '';
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByRole('status').filter({ hasText: 'Test event delivered' }).waitFor();
    const last = receiver.at('/orders').at(-1)!;
    expect(signedWith(last, rotated)).toBe(true);
    await page.reload();
    await page.getByRole('button', { name: 'Send test event' }).waitFor();
    expect(await page.content()).not.toContain(rotated.slice(6));

    expect(errors).toEqual([]);
    await context.close();

    // On a phone, in the dark: the list and the endpoint's log fit the width (tables scroll inside themselves).
    const phone = await visit(browser, hellio.url, { viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    await logIn(phone.page, hellio, OPERATOR.email, OPERATOR.password);
    for (const path of ['webhooks', `webhooks/${okId}`]) {
      await phone.page.goto(`${hellio.url}/dashboard/accounts/${accountId}/${path}`);
      await phone.page.getByRole('heading', { level: 1 }).waitFor();
      await expect.poll(() => phone.page.getByRole('status').filter({ hasText: 'Loading' }).count()).toBe(0);
      expect(await phone.page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(390);
    }
    await phone.page.getByRole('list', { name: 'Delivery log' }).getByText('HTTP 200').first().waitFor();
    expect(phone.errors).toEqual([]);
    await phone.context.close();
  });

  it('a viewer sees the endpoints and their log but no control that changes them', async () => {
    const { page, errors, context } = await visit(browser, hellio.url);
    const accounts = (await hellio.cli<{ id: string }>('accounts', 'create', '--name', 'Viewers Inc')).id;
    const { key } = await hellio.cli<{ key: string }>('keys', 'create', '--account', accounts, '--scopes', 'webhooks', '--name', 'setup');
    const made = await hellio.call<{ id: string }>('POST', '/webhooks', { key, body: { url: receiver.url('/viewer'), events: ['*'] } });
    expect(made.status).toBe(200);
    await hellio.call('POST', `/webhooks/${made.body.id}/test`, { key });
    await hellio.cli('users', 'create', '--email', 'vera@example.com', '--password', 'viewer password 1', '--account', accounts, '--role', 'viewer');
    await logIn(page, hellio, 'vera@example.com', 'viewer password 1');
    await page.goto(`${hellio.url}/dashboard/accounts/${accounts}/webhooks`);
    await page.getByRole('link', { name: receiver.url('/viewer') }).click();
    await page.getByRole('list', { name: 'Delivery log' }).getByText('HTTP 200').waitFor();
    for (const name of ['Send test event', 'Rotate secret', 'Replay failed since', 'Save changes']) expect(await page.getByRole('button', { name }).count(), name).toBe(0);
    await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
    expect(await page.getByRole('button', { name: 'Add endpoint' }).count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
