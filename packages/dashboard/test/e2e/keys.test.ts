/** API Keys and the IP Allowlist, in a real browser against a real `hellio start`: each change checked by using a key against the API. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot, visit } from '../support/browser.ts';
import { startHellio, type Hellio } from '../support/hellio.ts';
import { createMember, logIn, OPERATOR, setUp } from '../support/people.ts';

let hellio: Hellio;
let browser: Browser;
let accountId: string;

beforeAll(async () => {
  [hellio, browser] = await Promise.all([startHellio(), launchBrowser()]);
  const { page, context } = await visit(browser, hellio.url);
  accountId = await setUp(page, hellio, 'Acme');
  await context.close();
  // Sending an SMS needs money and an approved sender.
  await hellio.cli('wallet', 'topup', '--account', accountId, '--amount', '10.00');
  await hellio.cli('senders', 'approve', '--account', accountId, '--sender', 'HELLIO');
});
afterAll(async () => {
  await browser?.close();
  await hellio?.stop();
});

/** The operator, signed in, on one of the account's pages. */
async function operatorOn(navName: string) {
  const v = await visit(browser, hellio.url);
  await logIn(v.page, hellio, OPERATOR.email, OPERATOR.password);
  await v.page.getByRole('link', { name: navName, exact: true }).click();
  await v.page.getByRole('heading', { level: 1, name: navName }).waitFor();
  return v;
}

/** A management API answer, with the browser's session (what the page itself would get). */
async function managed<T>(page: Page, path: string): Promise<T> {
  return page.evaluate((p) => fetch(p).then((r) => r.json()), `/accounts/${accountId}${path}`) as Promise<T>;
}

type KeyView = { id: string; name: string; prefix: string; scopes: string[]; status: string; test: boolean; expires_at: string | null };

const sms = (key: string) => hellio.call('POST', '/sms/send', { key, body: { from: 'HELLIO', to: '+14155550100', message: 'Hello from the key test' } });

describe('API Keys', () => {
  it('creates a key with two scopes through the dialog: shown once, it sends an SMS and looks up, a route of another scope is 403, and after a reload it is gone from the page', async () => {
    const { page, errors, context } = await operatorOn('API Keys');
    await page.getByText('No API keys yet').waitFor();
    await page.getByRole('button', { name: 'Create API key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create API key' });
    // One checkbox per scope the API accepts (its OpenAPI document), named by the scope itself.
    const openapi = await hellio.call<{ paths: Record<string, { post?: { requestBody?: { content: { 'application/json': { schema: { properties: { scopes: { items: { enum: string[] } } } } } } } } }> }>('GET', '/openapi.json');
    const accepted = openapi.body.paths['/accounts/{account_id}/keys']!.post!.requestBody!.content['application/json'].schema.properties.scopes.items.enum;
    const offered = await dialog.getByRole('group', { name: 'Scopes' }).getByRole('checkbox').evaluateAll((boxes) => boxes.map((b) => (b as HTMLInputElement).labels![0]!.textContent));
    expect([...offered].sort()).toEqual([...accepted].sort());
    await dialog.getByLabel('Name').fill('Checkout server');
    await dialog.getByLabel('sms:send', { exact: true }).check();
    await dialog.getByLabel('lookup', { exact: true }).check();
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.waitFor({ state: 'detached' });

    const shown = page.getByRole('region', { name: 'API key' });
    const key = (await shown.locator('code').textContent())!;
    expect(key).toMatch(/^cs_[A-Za-z0-9_-]{64}$/);
    await shown.getByRole('button', { name: 'Copy API key' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    const row = page.getByRole('row', { name: /Checkout server/ });
    await row.waitFor();
    await screenshot(page, 'api-keys');

    // The API lists what the page shows: the prefix of this very key, its two scopes, live.
    const listed = (await managed<{ data: KeyView[] }>(page, '/keys')).data;
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ name: 'Checkout server', status: 'active', test: false, expires_at: null });
    expect([...listed[0]!.scopes].sort()).toEqual(['lookup', 'sms:send']);
    expect(key.startsWith(listed[0]!.prefix)).toBe(true);
    expect(await row.textContent()).toContain(`${listed[0]!.prefix}…`);
    // The row shows the key's id, which a Kannel client sends as its username with the key as password.
    const shownId = (await row.getByLabel('Id of key Checkout server').textContent())!.trim();
    expect(shownId).toBe(listed[0]!.id);
    await row.getByRole('button', { name: 'Copy id of key Checkout server' }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shownId);
    const kannel = await fetch(`${hellio.url}/cgi-bin/sendsms?username=${shownId}&password=${encodeURIComponent(key)}&from=HELLIO&to=14155550101&text=Kannel`);
    expect({ status: kannel.status, text: await kannel.text() }).toEqual({ status: 202, text: '0: Accepted for delivery' });

    // Granted scopes pass; a route of a scope it lacks is refused, naming the scope.
    const sent = await sms(key);
    expect(sent.status).toBe(200);
    expect((await hellio.call('GET', '/lookups', { key })).status).toBe(200);
    const balance = await hellio.call<{ code: string; message: string }>('GET', '/balance', { key });
    expect(balance.status).toBe(403);
    expect(balance.body.code).toBe('insufficient_scope');
    expect(balance.body.message).toContain('balance');

    // Its use is noted (to the minute); after a reload the row shows the API's last_used_at.
    let lastUsed: string | null = null;
    await expect.poll(async () => (lastUsed = (await managed<{ data: (KeyView & { last_used_at: string | null })[] }>(page, '/keys')).data[0]!.last_used_at)).not.toBeNull();
    const lastUsedText = await page.evaluate((iso) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }), lastUsed!);

    // Shown once: a reload lists the key by its prefix only.
    await page.reload();
    // The "Last used" column (the key may have been made in the same second, so look at that column).
    await page.getByRole('row', { name: /Checkout server/ }).waitFor();
    const lastUsedColumn = (await page.getByRole('table', { name: 'API keys' }).getByRole('columnheader').allTextContents()).indexOf('Last used');
    expect(lastUsedColumn).toBeGreaterThan(-1);
    await expect.poll(() => page.getByRole('row', { name: /Checkout server/ }).getByRole('cell').nth(lastUsedColumn).textContent()).toBe(lastUsedText);
    expect(await page.content()).not.toContain(key);
    expect(await page.getByRole('region', { name: 'API key' }).count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('revoking asks first ("Revoke key"); the key is refused with 401 at once and listed as revoked', async () => {
    const { id, key } = await hellio.cli<{ id: string; key: string }>('keys', 'create', '--account', accountId, '--scopes', 'lookup', '--name', 'Old laptop');
    expect((await hellio.call('GET', '/lookups', { key })).status).toBe(200);
    const { page, errors, context } = await operatorOn('API Keys');
    const row = page.getByRole('row', { name: /Old laptop/ });
    await row.getByRole('button', { name: 'Revoke' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke Old laptop?' });
    // Cancel changes nothing.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await hellio.call('GET', '/lookups', { key })).status).toBe(200);

    await row.getByRole('button', { name: 'Revoke' }).click();
    await dialog.getByRole('button', { name: 'Revoke key' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row.getByText('revoked', { exact: true }).waitFor();
    expect(await row.getByRole('button', { name: 'Revoke' }).count()).toBe(0);
    const refused = await hellio.call<{ code: string }>('GET', '/lookups', { key });
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('invalid_credentials');
    const listed = (await managed<{ data: KeyView[] }>(page, '/keys')).data.find((k) => k.id === id);
    expect(listed?.status).toBe('revoked');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('rotating shows the new key once; with "Stop at once" the old key gets 401 and the new one works with the same scopes', async () => {
    const { key: old } = await hellio.cli<{ id: string; key: string }>('keys', 'create', '--account', accountId, '--scopes', 'lookup', '--name', 'Nightly job');
    const { page, errors, context } = await operatorOn('API Keys');
    await page.getByRole('row', { name: /Nightly job/ }).first().getByRole('button', { name: 'Rotate' }).click();
    const dialog = page.getByRole('dialog', { name: 'Rotate Nightly job?' });
    await dialog.getByLabel('The old key keeps working for').selectOption({ label: 'Stop at once' });
    await dialog.getByRole('button', { name: 'Rotate key' }).click();
    await dialog.waitFor({ state: 'detached' });
    const fresh = (await page.getByRole('region', { name: 'New API key' }).locator('code').textContent())!;
    expect(fresh).toMatch(/^cs_/);
    expect(fresh).not.toBe(old);
    expect((await hellio.call('GET', '/lookups', { key: fresh })).status).toBe(200);
    expect((await hellio.call('GET', '/balance', { key: fresh })).status).toBe(403);
    expect((await hellio.call('GET', '/lookups', { key: old })).status).toBe(401);
    // Both keys are listed under the name; the new one is the only one that can still be rotated.
    await expect.poll(() => page.getByRole('row', { name: /Nightly job/ }).count()).toBe(2);
    const keys = (await managed<{ data: (KeyView & { rotated_to: string | null })[] }>(page, '/keys')).data.filter((k) => k.name === 'Nightly job');
    expect(keys.filter((k) => k.rotated_to !== null)).toHaveLength(1);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.reload();
    await page.getByRole('row', { name: /Nightly job/ }).first().waitFor();
    expect(await page.content()).not.toContain(fresh);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a sandbox key with an expiry: the dialog sends the chosen time, the key is cs_test_, and the row says test and when it expires; at phone width in dark mode nothing spills sideways', async () => {
    const v = await visit(browser, hellio.url, { colorScheme: 'dark', viewport: { width: 390, height: 844 } });
    const { page, errors, context } = v;
    await logIn(page, hellio, OPERATOR.email, OPERATOR.password);
    await page.goto(`/dashboard/accounts/${accountId}/keys`);
    await page.getByRole('button', { name: 'Create API key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create API key' });
    await dialog.getByLabel('Name').fill('Staging');
    await dialog.getByLabel('balance', { exact: true }).check();
    await dialog.getByLabel('Expires').fill('2030-01-02T03:04');
    await dialog.getByLabel(/^Test key/).check();
    await dialog.getByRole('button', { name: 'Create' }).click();
    const key = (await page.getByRole('region', { name: 'API key' }).locator('code').textContent())!;
    expect(key).toMatch(/^cs_test_/);
    const chosen = await page.evaluate(() => new Date('2030-01-02T03:04').toISOString());
    const listed = (await managed<{ data: KeyView[] }>(page, '/keys')).data.find((k) => k.name === 'Staging')!;
    expect(listed).toMatchObject({ test: true, scopes: ['balance'] });
    expect(Date.parse(listed.expires_at!)).toBe(Date.parse(chosen));
    const shownExpiry = await page.evaluate((iso) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' }), listed.expires_at!);
    const row = page.getByRole('row', { name: /Staging/ });
    await row.getByRole('cell', { name: shownExpiry }).waitFor();
    await row.getByText('test', { exact: true }).waitFor();
    expect((await hellio.call('GET', '/balance', { key })).status).toBe(200);
    // The table scrolls inside its own box; the page itself is no wider than the phone.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows the account\'s Twilio account SID, read-only, the one the API gives', async () => {
    const { page, context } = await operatorOn('API Keys');
    const section = page.getByRole('region', { name: 'Twilio and Kannel compatibility' });
    const shown = section.getByLabel('Twilio account SID');
    await shown.waitFor();
    const sid = (await shown.textContent())!.trim();
    expect(sid).toMatch(/^AC[0-9a-f]{32}$/);
    expect(sid).toBe((await managed<{ twilio_account_sid: string }>(page, '')).twilio_account_sid);
    await expect(section.getByRole('textbox').count()).resolves.toBe(0);
    await screenshot(page, 'keys-compat-sid');
    await context.close();
  });

  it('a viewer sees the keys but no button to create, rotate or revoke one', async () => {
    const viewer = await createMember(hellio, accountId, 'viewer.keys@example.com', 'viewer');
    const { page, errors, context } = await visit(browser, hellio.url);
    await logIn(page, hellio, viewer.email, viewer.password);
    await page.getByRole('link', { name: 'API Keys', exact: true }).click();
    await page.getByRole('row', { name: /Checkout server/ }).waitFor();
    for (const name of ['Create API key', 'Revoke', 'Rotate']) expect(await page.getByRole('button', { name, exact: true }).count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('IP Allowlist', () => {
  it('an entry that is not this machine makes the key 403 ip_not_allowed; removing it lets the key in again; a bad entry shows the API\'s error in place', async () => {
    const { key } = await hellio.cli<{ key: string }>('keys', 'create', '--account', accountId, '--scopes', 'lookup', '--name', 'Allowlist probe');
    expect((await hellio.call('GET', '/lookups', { key })).status).toBe(200);
    const { page, errors, context } = await operatorOn('IP Allowlist');
    await page.getByText('an empty list allows every address', { exact: false }).first().waitFor();
    await page.getByText("The list is empty: this account's keys work from every address.").waitFor();

    const field = page.getByLabel('IP address or CIDR');
    await field.fill('not an address');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await expect.poll(() => field.getAttribute('aria-invalid')).toBe('true');
    const complaint = (await field.getAttribute('aria-describedby'))!;
    // The words under the field are the API's own for the same entry.
    const apiAnswer = await page.evaluate(async (path) => {
      const me = await (await fetch('/auth/me')).json();
      const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': me.csrf_token }, body: JSON.stringify({ ip: 'not an address' }) });
      return { status: r.status, body: await r.json() };
    }, `/accounts/${accountId}/allowlist`);
    expect(apiAnswer.status).toBe(422);
    expect(await page.locator(`[id="${complaint}"]`).textContent()).toBe(apiAnswer.body.errors.find((e: { field: string }) => e.field === 'ip').message);
    expect((await managed<{ data: string[] }>(page, '/allowlist')).data).toEqual([]);

    await field.fill('203.0.113.7');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const row = page.getByRole('row', { name: /203\.0\.113\.7/ });
    await row.waitFor();
    expect(await field.getAttribute('aria-invalid')).toBeNull();
    const listed = (await managed<{ data: string[] }>(page, '/allowlist')).data;
    expect(listed).toHaveLength(1);
    expect(await row.getByRole('cell').first().textContent()).toBe(listed[0]);
    const refused = await hellio.call<{ code: string }>('GET', '/lookups', { key });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('ip_not_allowed');

    // A range beside it, stored as the API normalises it.
    await field.fill('2001:db8::/32');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    const range = page.getByRole('row', { name: /2001:db8::\/32/ });
    await range.waitFor();
    expect((await managed<{ data: string[] }>(page, '/allowlist')).data).toHaveLength(2);
    await screenshot(page, 'allowlist');
    await range.getByRole('button', { name: 'Remove' }).click();
    await range.waitFor({ state: 'detached' });
    expect((await hellio.call('GET', '/lookups', { key })).status).toBe(403);

    await row.getByRole('button', { name: 'Remove' }).click();
    await page.getByText("The list is empty: this account's keys work from every address.").waitFor();
    expect((await managed<{ data: string[] }>(page, '/allowlist')).data).toEqual([]);
    expect((await hellio.call('GET', '/lookups', { key })).status).toBe(200);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a viewer reads the list but has no field to add and no button to remove', async () => {
    await hellio.cli('allowlist', 'add', '--account', accountId, '--ip', '198.51.100.0/24');
    const viewer = await createMember(hellio, accountId, 'viewer.allowlist@example.com', 'viewer');
    const { page, errors, context } = await visit(browser, hellio.url);
    await logIn(page, hellio, viewer.email, viewer.password);
    await page.getByRole('link', { name: 'IP Allowlist', exact: true }).click();
    await page.getByRole('row', { name: /198\.51\.100\.0\/24/ }).waitFor();
    expect(await page.getByLabel('IP address or CIDR').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Remove' }).count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
    await hellio.cli('allowlist', 'remove', '--account', accountId, '--ip', '198.51.100.0/24');
  });
});
