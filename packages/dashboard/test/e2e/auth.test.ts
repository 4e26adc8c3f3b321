/** Sign-up (HELLIO_SIGNUP=approval), invitations and password resets in a real browser, the emails read from the simulated mailbox. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { apiSession, linkFromInbox, type ApiSession } from '../support/admin.ts';
import { launchBrowser, screenshot, visit } from '../support/browser.ts';
import { startHellio, type Hellio } from '../support/hellio.ts';
import { createMember, logIn, OPERATOR, setUp } from '../support/people.ts';

let hellio: Hellio;
let browser: Browser;
let acme: string;
let ops: ApiSession;

beforeAll(async () => {
  [hellio, browser] = await Promise.all([
    startHellio({ HELLIO_SIGNUP: 'approval', HELLIO_LOGIN_PER_IP: '1000', HELLIO_LOGIN_PER_EMAIL: '1000' }),
    launchBrowser(),
  ]);
  const { page, context } = await visit(browser, hellio.url);
  acme = await setUp(page, hellio, 'Acme');
  await context.close();
  ops = await apiSession(hellio, OPERATOR.email, OPERATOR.password);
});
afterAll(async () => {
  await browser?.close();
  await hellio?.stop();
});

describe('sign-up (HELLIO_SIGNUP=approval)', () => {
  it('makes a pending account that waits in the operator\'s queue; the operator activates it', async () => {
    const person = { email: 'founder@newco.example', password: 'newco founder password' };
    const visitor = await visit(browser, hellio.url);
    const { page } = visitor;
    await page.goto(`${hellio.url}/dashboard/signup`);
    await page.getByLabel('Your name').fill('Nia Founder');
    await page.getByLabel('Email').fill(person.email);
    await page.getByLabel('Password').fill(person.password);
    await page.getByLabel('Account name').fill('Newco');
    await screenshot(page, 'signup');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();

    // The account exists, pending, and is in the approval queue.
    const pending = (await ops.call<{ data: { id: string; name: string; status: string }[] }>('GET', '/admin/accounts?status=pending')).body.data;
    const newco = pending.find((a) => a.name === 'Newco');
    expect(newco).toMatchObject({ status: 'pending' });

    // The verification link of the email confirms the address; the account still waits.
    const verifyLink = await linkFromInbox(hellio, person.email, 'verify-email');
    await page.goto(verifyLink);
    await page.getByRole('button', { name: 'Confirm my address' }).click();
    await page.getByRole('heading', { name: 'Address confirmed' }).waitFor();
    expect(await page.getByRole('status').textContent()).toContain('Newco is pending');
    expect(visitor.errors).toEqual([]);

    // The operator sees it in the queue and activates it.
    const op = await visit(browser, hellio.url);
    await logIn(op.page, hellio, OPERATOR.email, OPERATOR.password);
    await op.page.goto(`${hellio.url}/dashboard/admin?status=pending`);
    await op.page.getByRole('table', { name: 'Accounts waiting for approval' }).getByRole('link', { name: 'Newco' }).click();
    await op.page.getByRole('heading', { level: 1, name: 'Newco' }).waitFor();
    await op.page.getByRole('button', { name: 'Activate', exact: true }).click();
    await op.page.getByRole('dialog', { name: 'Activate Newco?' }).getByRole('button', { name: 'Activate account' }).click();
    await op.page.getByRole('button', { name: 'Suspend', exact: true }).waitFor();
    expect((await ops.call('GET', `/admin/accounts/${newco!.id}`)).body).toMatchObject({ status: 'active', member_count: 1 });
    expect(op.errors).toEqual([]);

    // The founder signs in to their active account.
    await logIn(page, hellio, person.email, person.password);
    await page.waitForURL(new RegExp(`/dashboard/accounts/${newco!.id}/?$`));
    expect(await page.getByText('This account is pending').count()).toBe(0);
    expect(visitor.errors).toEqual([]);
    await op.context.close();
    await visitor.context.close();
  });
});

describe('invitations', () => {
  it('an owner invites; the link of the email, opened in the browser, makes the new member and signs them in to the account', async () => {
    const invited = await ops.call('POST', `/accounts/${acme}/invitations`, { email: 'new.dev@acme.example', role: 'developer' });
    expect(invited.status, JSON.stringify(invited.body)).toBe(200);
    const link = await linkFromInbox(hellio, 'new.dev@acme.example', 'accept-invitation');

    const { page, errors, context } = await visit(browser, hellio.url);
    await page.goto(link);
    await page.getByLabel('Your name').fill('Dana Developer');
    await page.getByLabel('Password').fill('dana developer password');
    await screenshot(page, 'accept-invitation');
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await page.waitForURL(new RegExp(`/dashboard/accounts/${acme}/?$`));
    await page.getByRole('link', { name: 'API Keys' }).waitFor();

    const members = (await ops.call<{ data: { email: string; name: string; role: string }[] }>('GET', `/accounts/${acme}/members`)).body.data;
    expect(members).toContainEqual(expect.objectContaining({ email: 'new.dev@acme.example', name: 'Dana Developer', role: 'developer' }));
    // The link worked once.
    await page.goto(link);
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    expect(await page.getByRole('alert').textContent()).toMatch(/invalid|expired|used/i);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a person who already has a user accepts with their password and joins the account', async () => {
    const other = (await hellio.cli<{ id: string }>('accounts', 'create', '--name', 'Umbrella')).id;
    const carol = await createMember(hellio, other, 'carol@umbrella.example', 'owner', 'carol password 1');
    expect((await ops.call('POST', `/accounts/${acme}/invitations`, { email: carol.email, role: 'viewer' })).status).toBe(200);
    const link = await linkFromInbox(hellio, carol.email, 'accept-invitation');

    const { page, errors, context } = await visit(browser, hellio.url);
    await page.goto(link);
    await page.getByLabel('Password').fill('not carol\'s password');
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    expect(await page.getByRole('alert').textContent()).toMatch(/invalid email or password/i);
    await page.getByLabel('Password').fill(carol.password);
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await page.waitForURL(new RegExp(`/dashboard/accounts/${acme}/?$`));
    const members = (await ops.call<{ data: { email: string; role: string }[] }>('GET', `/accounts/${acme}/members`)).body.data;
    expect(members).toContainEqual(expect.objectContaining({ email: carol.email, role: 'viewer' }));
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('password reset', () => {
  it('the emailed link sets a new password: the old one is refused afterwards, the new one works', async () => {
    const user = await createMember(hellio, acme, 'forgetful@acme.example', 'viewer', 'the old password');
    const { page, errors, context } = await visit(browser, hellio.url);
    await page.goto(`${hellio.url}/dashboard/login`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await page.getByLabel('Email').fill(user.email);
    await screenshot(page, 'reset-password');
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByRole('status').filter({ hasText: 'on its way' }).waitFor();

    const link = await linkFromInbox(hellio, user.email, 'reset-password');
    await page.goto(link);
    // A password the API refuses shows its message and does not use the link up.
    await page.getByLabel('New password').fill('short');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('New password').fill('the brand new password');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByRole('heading', { name: 'Password changed' }).waitFor();

    await page.goto(`${hellio.url}/dashboard/login`);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    expect(await page.getByRole('alert').textContent()).toMatch(/invalid email or password/i);
    await logIn(page, hellio, user.email, 'the brand new password');
    await page.waitForURL(new RegExp(`/dashboard/accounts/${acme}/?$`));
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('sign-up open (HELLIO_SIGNUP=open)', () => {
  it('the account becomes active when the address is confirmed', async () => {
    const open = await startHellio({ HELLIO_SIGNUP: 'open', HELLIO_LOGIN_PER_IP: '1000' });
    try {
      const { page, errors, context } = await visit(browser, open.url);
      await page.goto(`${open.url}/dashboard/signup`);
      await page.getByLabel('Email').fill('maker@opensignup.example');
      await page.getByLabel('Password').fill('open sign-up password');
      await page.getByLabel('Account name').fill('Maker');
      await page.getByRole('button', { name: 'Sign up' }).click();
      await page.getByRole('heading', { name: 'Check your email' }).waitFor();
      await page.goto(await linkFromInbox(open, 'maker@opensignup.example', 'verify-email'));
      await page.getByRole('button', { name: 'Confirm my address' }).click();
      expect(await page.getByRole('status').textContent()).toContain('Maker is active');
      await logIn(page, open, 'maker@opensignup.example', 'open sign-up password');
      await page.getByRole('link', { name: 'API Keys' }).waitFor();
      expect(await page.getByText('This account is pending').count()).toBe(0);
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await open.stop();
    }
  });
});

describe('sign-up closed (the default)', () => {
  it('says so, with the API\'s message', async () => {
    const closed = await startHellio({ HELLIO_LOGIN_PER_IP: '1000' });
    try {
      const { page, errors, context } = await visit(browser, closed.url);
      await page.goto(`${closed.url}/dashboard/signup`);
      await page.getByLabel('Email').fill('someone@example.com');
      await page.getByLabel('Password').fill('a long password');
      await page.getByLabel('Account name').fill('Someone');
      await page.getByRole('button', { name: 'Sign up' }).click();
      await page.getByRole('heading', { name: 'Sign-up is closed' }).waitFor();
      expect(await page.getByText('ask an operator for an invitation').count()).toBe(1);
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await closed.stop();
    }
  });
});
