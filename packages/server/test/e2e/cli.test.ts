/**
 * The `hellio` CLI as scripts use it (SPEC §5): the real binary in child processes, `--json`
 * output, and the promise that admin commands work while a server runs on the same data. Each
 * admin command's effect is checked through that running server's HTTP API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, cleanEnv, hellio, run, type RunningServer, startServer } from '../support/cli.ts';
import { type Backend, throwawayDatabase } from '../support/harness.ts';

/** The key printed in the HeliosSend documentation (SPEC §1). */
const SEED_KEY = 'cs_ig-DHv_6PltD7JnxQQEZ4DUzSpG5U87QJPiVIyDWw4DGkZUuSd0y3C4aI7BS06qO';
const LIVE_KEY = /^cs_[A-Za-z0-9_-]{64}$/;
const TEST_KEY = /^cs_test_[A-Za-z0-9_-]{64}$/;
const ID = (prefix: string) => new RegExp(`^${prefix}_[0-9a-z]{26}$`);
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const STEP_TIMEOUT = 60_000;

/** Exactly one JSON object on stdout, one line, exit 0; returns it. */
function oneJsonObject(r: CliResult, opts: { quietStderr?: boolean } = {}): Record<string, any> {
  expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
  if (opts.quietStderr !== false) expect(r.stderr).toBe('');
  expect(r.stdout.endsWith('\n')).toBe(true);
  expect(r.stdout.trimEnd().split('\n'), r.stdout).toHaveLength(1);
  const value = JSON.parse(r.stdout);
  expect(typeof value === 'object' && value !== null && !Array.isArray(value), r.stdout).toBe(true);
  return value;
}

/** A failure: non-zero exit, nothing on stdout, one JSON error object on stderr. */
function jsonFailure(r: CliResult): { code: string; message: string; errors?: Array<{ field: string }> } {
  expect(r.code).not.toBe(0);
  expect(r.stdout).toBe('');
  const body = JSON.parse(r.stderr.trim().split('\n').pop()!);
  expect(typeof body.code).toBe('string');
  expect(typeof body.message).toBe('string');
  return body;
}

interface Suite {
  backend: Backend;
  /** The SQLite run covers every command; the PostgreSQL run covers the ones whose storage differs, to keep spawns few. */
  full: boolean;
}

describe.each<Suite>([
  { backend: 'sqlite', full: true },
  { backend: 'postgres', full: false },
])('hellio CLI on $backend, beside a running server', ({ backend, full }) => {
  let db: Awaited<ReturnType<typeof throwawayDatabase>>;
  let server: RunningServer | undefined;
  const cli = (...args: string[]) => hellio(['--json', ...args], db.env);

  async function api(method: string, path: string, authorization: string | null, body?: unknown) {
    const headers: Record<string, string> = {};
    if (authorization !== null) headers.authorization = authorization;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${server!.url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, headers: res.headers, json: (await res.json()) as any };
  }
  const sms = (key: string, to = '+14155552671') => api('POST', '/sms/send', `Bearer ${key}`, { from: 'HELLIO', to, message: 'from the CLI test' });

  // What the steps share, in order.
  let account = '';
  let live: { id: string; key: string };
  let sandbox: { id: string; key: string };

  beforeAll(async () => {
    db = await throwawayDatabase(backend);
    server = await startServer(db.env);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  }, 60_000);

  it('accounts create --status pending → {"id": "acc_…"}', { timeout: STEP_TIMEOUT }, async () => {
    // Once through `npx hellio` from the repository root, as SPEC §5 documents it.
    const r = full
      ? await run('npx', ['--no-install', 'hellio', 'accounts', 'create', '--name', 'Acme Ltd', '--status', 'pending', '--json'], cleanEnv(db.env))
      : await cli('accounts', 'create', '--name', 'Acme Ltd', '--status', 'pending');
    const out = oneJsonObject(r, { quietStderr: !full }); // npm may print its own warnings
    expect(out).toEqual({ id: expect.stringMatching(ID('acc')), name: 'Acme Ltd', status: 'pending', twilio_account_sid: expect.stringMatching(/^AC[0-9a-f]{32}$/) });
    account = out.id;
  });

  it('keys create --scopes --name → {"id": "key_…", "key": "cs_…"}; a pending account is refused', { timeout: STEP_TIMEOUT }, async () => {
    const out = oneJsonObject(await cli('keys', 'create', '--account', account, '--scopes', 'sms:send,email:send,balance,reports', '--name', 'ci'));
    expect(out).toMatchObject({ id: expect.stringMatching(ID('key')), account, name: 'ci', test: false, revoked_at: null });
    expect(out.key).toMatch(LIVE_KEY);
    expect(out.key.startsWith('cs_test_') && out.key.length === 72).toBe(false);
    expect(out.scopes).toEqual(['sms:send', 'email:send', 'balance', 'reports']);
    expect(out.key.startsWith(out.prefix)).toBe(true);
    expect(out.prefix.length).toBeLessThan(16);
    live = { id: out.id, key: out.key };

    const res = await api('GET', '/balance', `Bearer ${live.key}`);
    expect(res.status).toBe(403);
    expect(res.json.code).toBe('account_not_active');
  });

  it('accounts activate → {"status": "active"}; the running server lets the key in at once', { timeout: STEP_TIMEOUT }, async () => {
    const out = oneJsonObject(await cli('accounts', 'activate', account));
    expect(out).toEqual({ id: account, status: 'active' });
    const res = await api('GET', '/balance', `Bearer ${live.key}`);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ balance: '0.0000', currency: 'USD' });
  });

  it('wallet topup --amount 10.00 → {"balance": "10.0000"}', { timeout: STEP_TIMEOUT }, async () => {
    const out = oneJsonObject(await cli('wallet', 'topup', '--account', account, '--amount', '10.00'));
    expect(out).toEqual({ account, balance: '10.0000', currency: 'USD' });
    expect((await api('GET', '/balance', `Bearer ${live.key}`)).json.balance).toBe('10.0000');
  });

  it('senders approve --sender HELLIO; the server then accepts SMS from it', { timeout: STEP_TIMEOUT }, async () => {
    const before = await sms(live.key);
    expect(before.status).toBe(422);
    expect(before.json.code).toBe('sender_not_approved');

    const out = oneJsonObject(await cli('senders', 'approve', '--account', account, '--sender', 'HELLIO'));
    expect(out).toEqual({ account, kind: 'sms', sender: 'HELLIO', approved: true });

    const res = await sms(live.key);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ campaign_id: null, total_price: '0.0080', currency: 'USD', messages: [{ status: 'queued', to: '+14155552671' }] });
    expect((await api('GET', '/balance', `Bearer ${live.key}`)).json.balance).toBe('9.9920');
  });

  it('senders approve --sender example.com (an email domain)', { timeout: STEP_TIMEOUT }, async () => {
    const out = oneJsonObject(await cli('senders', 'approve', '--account', account, '--sender', 'Example.COM'));
    expect(out).toEqual({ account, kind: 'email_domain', sender: 'example.com', approved: true });
    const res = await api('POST', '/send', live.key, { from: 'Ops <ops@example.com>', to: 'reader@example.org', subject: 'hi', text: 'hello' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ id: expect.stringMatching(ID('msg')), status: 'queued' });
  });

  it.runIf(full)('senders approve --sender an@address (one email address)', { timeout: STEP_TIMEOUT }, async () => {
    const out = oneJsonObject(await cli('senders', 'approve', '--account', account, '--sender', 'Alerts@Other.example'));
    expect(out).toEqual({ account, kind: 'email_address', sender: 'alerts@other.example', approved: true });
    const ok = await api('POST', '/send', live.key, { from: 'alerts@other.example', to: 'reader@example.org', subject: 'hi', text: 'hello' });
    expect(ok.status).toBe(200);
    const other = await api('POST', '/send', live.key, { from: 'sales@other.example', to: 'reader@example.org', subject: 'hi', text: 'hello' });
    expect(other.status).toBe(422);
    expect(other.json.code).toBe('sender_not_approved');
  });

  it('keys create --test → a cs_test_ key, never charged', { timeout: STEP_TIMEOUT }, async () => {
    const out = oneJsonObject(await cli('keys', 'create', '--account', account, '--scopes', 'sms:send,balance', '--test'));
    expect(out).toMatchObject({ id: expect.stringMatching(ID('key')), test: true, scopes: ['sms:send', 'balance'] });
    expect(out.key).toMatch(TEST_KEY);
    sandbox = { id: out.id, key: out.key };
    const before = (await api('GET', '/balance', `Bearer ${sandbox.key}`)).json.balance;
    const res = await sms(sandbox.key);
    expect(res.status).toBe(200);
    expect((await api('GET', '/balance', `Bearer ${sandbox.key}`)).json.balance).toBe(before);
  });

  it('keys create --import registers the documented HeliosSend key', { timeout: STEP_TIMEOUT }, async () => {
    const out = oneJsonObject(await cli('keys', 'create', '--account', account, '--scopes', 'balance', '--import', SEED_KEY));
    expect(out).toMatchObject({ id: expect.stringMatching(ID('key')), key: SEED_KEY, test: false, prefix: 'cs_ig-DHv', scopes: ['balance'] });
    // Both header forms, the bare one as the HeliosSend docs send it.
    for (const authorization of [SEED_KEY, `Bearer ${SEED_KEY}`]) {
      const res = await api('GET', '/balance', authorization);
      expect(res.status).toBe(200);
      expect(res.json.balance).toMatch(/^\d+\.\d{4,6}$/);
    }
    const noScope = await api('POST', '/sms/send', SEED_KEY, { from: 'HELLIO', to: '+14155552671', message: 'x' });
    expect(noScope.status).toBe(403);
    expect(noScope.json.code).toBe('insufficient_scope');
  });

  it('allowlist add → the running server refuses other addresses at once', { timeout: STEP_TIMEOUT }, async () => {
    const out = oneJsonObject(await cli('allowlist', 'add', '--account', account, '--ip', '203.0.113.0/24'));
    expect(out).toEqual({ account, allowlist: ['203.0.113.0/24'] });
    const res = await api('GET', '/balance', `Bearer ${live.key}`);
    expect(res.status).toBe(403);
    expect(res.json.code).toBe('ip_not_allowed');
  });

  it('allowlist remove → open again', { timeout: STEP_TIMEOUT }, async () => {
    const out = oneJsonObject(await cli('allowlist', 'remove', '--account', account, '--ip', '203.0.113.0/24'));
    expect(out).toEqual({ account, allowlist: [] });
    expect((await api('GET', '/balance', `Bearer ${live.key}`)).status).toBe(200);
  });

  it.runIf(full)('allowlist add with a bad address → non-zero exit, error on stderr, nothing changed', { timeout: STEP_TIMEOUT }, async () => {
    const err = jsonFailure(await cli('allowlist', 'add', '--account', account, '--ip', '999.1.1.1'));
    expect(err.code).toBe('validation_failed');
    expect(err.errors?.map((e) => e.field)).toEqual(['ip']);
    expect((await api('GET', '/balance', `Bearer ${live.key}`)).status).toBe(200);
  });

  it('caps set --daily --monthly → the caps the API reports', { timeout: STEP_TIMEOUT }, async () => {
    const out = oneJsonObject(await cli('caps', 'set', '--account', account, '--daily', '5.00', '--monthly', '100.00'));
    expect(out).toEqual({ account, daily: '5.0000', monthly: '100.0000', currency: 'USD' });
    const caps = (await api('GET', '/balance', `Bearer ${live.key}`)).json.spend_caps;
    expect(caps.daily.limit).toBe('5.0000');
    expect(caps.monthly.limit).toBe('100.0000');
  });

  it.runIf(full)('caps set --daily none removes the daily cap and keeps the monthly one', { timeout: STEP_TIMEOUT }, async () => {
    const out = oneJsonObject(await cli('caps', 'set', '--account', account, '--daily', 'none'));
    expect(out).toEqual({ account, daily: null, monthly: '100.0000', currency: 'USD' });
    const caps = (await api('GET', '/balance', `Bearer ${live.key}`)).json.spend_caps;
    expect(caps.daily.limit).toBeNull();
    expect(caps.monthly.limit).toBe('100.0000');
  });

  it('limits set --key --per-minute → the limit the server applies next', { timeout: STEP_TIMEOUT }, async () => {
    expect((await api('GET', '/balance', `Bearer ${live.key}`)).headers.get('x-ratelimit-limit')).toBe('120');
    const out = oneJsonObject(await cli('limits', 'set', '--key', live.id, '--per-minute', '1000'));
    expect(out).toEqual({ key: live.id, per_minute: 1000 });
    const res = await api('GET', '/balance', `Bearer ${live.key}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit')).toBe('1000');
    expect(Number(res.headers.get('x-ratelimit-remaining'))).toBeGreaterThan(900);
  });

  it('keys revoke → the very next request with the key is 401', { timeout: STEP_TIMEOUT }, async () => {
    expect((await api('GET', '/balance', `Bearer ${live.key}`)).status).toBe(200);
    const out = oneJsonObject(await cli('keys', 'revoke', live.id));
    expect(out).toEqual({ id: live.id, revoked_at: expect.stringMatching(RFC3339) });
    const res = await sms(live.key);
    expect(res.status).toBe(401);
    expect(res.json).toMatchObject({ code: 'invalid_credentials', detail: 'Invalid user credentials' });
    // Other keys of the account keep working.
    expect((await api('GET', '/balance', `Bearer ${sandbox.key}`)).status).toBe(200);
  });

  it('accounts suspend → every key of the account is 403 at once', { timeout: STEP_TIMEOUT }, async () => {
    const out = oneJsonObject(await cli('accounts', 'suspend', account));
    expect(out).toEqual({ id: account, status: 'suspended' });
    for (const authorization of [`Bearer ${sandbox.key}`, SEED_KEY]) {
      const res = await api('GET', '/balance', authorization);
      expect(res.status).toBe(403);
      expect(res.json).toMatchObject({ code: 'account_not_active', detail: 'Account not active' });
    }
    expect((await sms(sandbox.key)).status).toBe(403);
  });

  it('the server kept running throughout', async () => {
    const res = await fetch(`${server!.url}/readyz`);
    expect(res.status).toBe(200);
    expect(server!.child.exitCode).toBeNull();
  });
});
