/**
 * /dashboard/: the built app's files, its page for every path under it, the headers that keep it
 * safe, and a clear answer when there is no build. Static files do not touch the database, so
 * this runs on SQLite only.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from '../support/harness.ts';

const PAGE = '<!doctype html><title>Hellio</title><div id="root"></div>';
const SCRIPT = 'console.log("hellio");';

describe('the dashboard, built', () => {
  let h: Harness;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hellio-dist-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), PAGE);
    writeFileSync(join(dir, 'assets', 'index-abc123.js'), SCRIPT);
    h = await createHarness('sqlite', { dashboard: { dir } });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('/dashboard redirects to /dashboard/, which is the page, never cached, with its safety headers', async () => {
    const bare = await h.app.inject({ method: 'GET', url: '/dashboard' });
    expect(bare.statusCode).toBe(302);
    expect(bare.headers.location).toBe('/dashboard/');
    const res = await h.app.inject({ method: 'GET', url: '/dashboard/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(PAGE);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('every other path under /dashboard/ is the same page (the app routes in the browser), query string and all', async () => {
    for (const url of ['/dashboard/login', '/dashboard/accounts/acc_1/keys', '/dashboard/setup?token=abc']) {
      const res = await h.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).toBe(PAGE);
    }
  });

  it('a built asset is served as what it is and cached for a year; an unknown one is a 404, not the page', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/dashboard/assets/index-abc123.js' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(SCRIPT);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const gone = await h.app.inject({ method: 'GET', url: '/dashboard/assets/index-old999.js' });
    expect(gone.statusCode).toBe(404);
    expect(gone.body).not.toContain('<div id="root">');
  });

  it('a file outside the build cannot be reached through the dashboard', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/dashboard/assets/..%2f..%2fetc%2fpasswd' });
    expect(res.body).not.toMatch(/root:/);
    const up = await h.app.inject({ method: 'GET', url: '/dashboard/../package.json' });
    expect(up.body).not.toContain('"name"');
  });

  it('the API is not shadowed: /healthz and a key route answer as before', async () => {
    expect((await h.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await h.app.inject({ method: 'GET', url: '/balance' })).statusCode).toBe(401);
  });
});

describe('the dashboard, not built', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness('sqlite', { dashboard: { missing: 'it has not been built yet' } });
  });
  afterAll(async () => h?.close());

  it('answers 503 with the reason and the command that builds it', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/dashboard/login' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('it has not been built yet');
    expect(res.body).toContain('npm run build -w @hellio/dashboard');
  });
});
