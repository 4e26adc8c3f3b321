/** The people of a test: the first operator through the setup page, others through the CLI. */
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import type { Hellio } from './hellio.ts';

/** The first operator of every test installation. */
export const OPERATOR = { email: 'ops@example.com', password: 'correct horse battery staple' } as const;

/** Fills the first-run setup page from the printed link; the operator lands signed in on their account. */
export async function setUp(page: Page, hellio: Hellio, accountName = 'Acme'): Promise<string> {
  await page.goto(hellio.setupLink);
  await page.getByLabel('Your name').fill('Olga Operator');
  await page.getByLabel('Email').fill(OPERATOR.email);
  await page.getByLabel('Password').fill(OPERATOR.password);
  await page.getByLabel('Account name').fill(accountName);
  await page.getByRole('button', { name: 'Create operator' }).click();
  await page.waitForURL(/\/dashboard\/accounts\/acc_[^/]+\/?$/);
  const id = /accounts\/(acc_[^/]+)/.exec(page.url())![1]!;
  return id;
}

/** Logs in through the log-in page (SPEC §5's names) and waits to be inside. */
export async function logIn(page: Page, hellio: Hellio, email: string, password: string): Promise<void> {
  await page.goto(`${hellio.url}/dashboard/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect.poll(() => page.url()).not.toContain('/login');
}

/** Creates a user in an account with the CLI (`hellio users create`). */
export async function createMember(hellio: Hellio, accountId: string, email: string, role: 'owner' | 'admin' | 'developer' | 'viewer', password = 'member password 1'): Promise<{ id: string; email: string; password: string }> {
  const u = await hellio.cli<{ id: string }>('users', 'create', '--email', email, '--password', password, '--account', accountId, '--role', role);
  return { id: u.id, email, password };
}
