/** Debian's Chromium driven by playwright-core: one browser per test file, a fresh context per person. */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const docs = join(dirname(fileURLToPath(import.meta.url)), '../../../../docs/dashboard');

/** Starts headless Chromium (no network beyond this machine, no sandbox as root). */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A person at a browser: their page, and every console error or uncaught exception the app caused. */
export interface Visitor {
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors of the app itself (failed API answers the test provoked are not counted). */
  errors: string[];
}

/** Opens a new browser context (its own cookies) on `baseURL`. */
export async function visit(browser: Browser, baseURL: string, opts: { colorScheme?: 'light' | 'dark'; viewport?: { width: number; height: number } } = {}): Promise<Visitor> {
  const context = await browser.newContext({
    baseURL,
    colorScheme: opts.colorScheme ?? 'light',
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    // Chromium logs every 4xx answer of fetch as "Failed to load resource"; API refusals are what
    // several tests provoke on purpose. Anything else — and any failed asset — is the app's fault.
    const where = msg.location().url;
    if (msg.text().startsWith('Failed to load resource') && !new URL(where, baseURL).pathname.startsWith('/dashboard')) return;
    errors.push(`console: ${msg.text()} (${where})`);
  });
  return { context, page, errors };
}

/**
 * Saves a screenshot of the page: into docs/dashboard/ when UPDATE_SCREENSHOTS=1 (the pictures of
 * docs/dashboard.md), else to a temporary folder, so that a test run leaves the repository as it was.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.UPDATE_SCREENSHOTS === '1' ? docs : join(tmpdir(), 'hellio-screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}
