import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { totpCode } from '../../src/lib/totp.ts';
import { createLogger } from '../../src/lib/logger.ts';
import { createServer, openRuntime } from '../../src/main.ts';
import { issueSetupLink } from '../../src/modules/people/setup.ts';
import { BACKENDS, type Harness, throwawayDatabase } from '../support/harness.ts';
import { LogCapture } from '../support/http-assert.ts';
import { linkToken } from '../support/mailbox.ts';
import { cookieOf } from '../support/people.ts';

/**
 * Every secret of the people flows — passwords, session secrets, CSRF tokens, the tokens of
 * setup, verification, reset and invitation links, TOTP secrets and recovery codes — goes
 * through the API and the workers with every log line kept, at the most verbose level; none of
 * them may appear in the log (nor in the stored copy of the platform's emails).
 */
describe.each(BACKENDS)('no secret reaches the log or the message log (%s)', (backend) => {
  const log = new LogCapture();
  let h: Pick<Harness, 'app' | 'rt'> & { close(): Promise<void> };
  beforeAll(async () => {
    const database = await throwawayDatabase(backend);
    const config = loadConfig({ ...database.env, HELLIO_SIGNUP: 'open', HELLIO_LOGIN_PER_IP: '100000' });
    const rt = await openRuntime(config, createLogger('trace', log));
    const app = await createServer(rt);
    await app.ready();
    h = {
      app,
      rt,
      async close() {
        await app.close();
        await rt.close();
        await database.drop();
      },
    };
  });
  afterAll(async () => h?.close());

  it('sign-up, verification, sign-in, reset, invitation and TOTP leave no secret in the log', async () => {
    const secrets: string[] = [];
    const keep = <T extends string>(s: T): T => (secrets.push(s), s);
    const post = async (url: string, payload: object, headers: Record<string, string> = {}) => {
      const res = await h.app.inject({ method: 'POST', url, payload, headers });
      expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(300);
      return res;
    };
    const withSession = (res: { headers: Record<string, unknown>; json(): any }) => {
      const cookie = cookieOf(res);
      keep(cookie.split('=')[1]!);
      const csrf = keep(res.json().csrf_token as string);
      return { cookie, 'x-csrf-token': csrf };
    };

    // First run.
    const setupToken = keep(new URL((await issueSetupLink(h.rt.ctx, h.rt.ctx.people.settings))!).searchParams.get('token')!);
    const op = withSession(await post('/auth/setup', { token: setupToken, email: 'op@example.com', password: keep('operator password 1') }));
    const accountId = (await h.app.inject({ method: 'GET', url: '/auth/me', headers: op })).json().accounts[0].id as string;

    // Sign-up and the verification link (the workers deliver the mail, logging as they go).
    await post('/auth/signup', { email: 'new@example.com', password: keep('signup password 2'), account_name: 'New' });
    await post('/auth/signup', { email: 'op@example.com', password: keep('taken password 3'), account_name: 'Again' });
    await post('/auth/verify-email', { token: keep(await linkToken(h as Harness, 'new@example.com', 'verify-email')) });

    // A failed sign-in, then a good one.
    await h.app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'new@example.com', password: keep('wrong password 4') } });
    const user = withSession(await post('/auth/login', { email: 'new@example.com', password: 'signup password 2' }));

    // Reset: the link, a new password; the old sessions end.
    await post('/auth/password-reset', { email: 'new@example.com' });
    await post('/auth/password-reset/confirm', { token: keep(await linkToken(h as Harness, 'new@example.com', 'reset-password')), password: keep('reset password 5') });
    expect((await h.app.inject({ method: 'GET', url: '/auth/me', headers: user })).statusCode).toBe(401);

    // An invitation, accepted by a new user.
    await post(`/accounts/${accountId}/invitations`, { email: 'friend@example.com', role: 'developer' }, op);
    const friend = withSession(
      await post('/auth/invitations/accept', { token: keep(await linkToken(h as Harness, 'friend@example.com', 'accept-invitation')), password: keep('friend password 6') }),
    );

    // TOTP: the secret, a code, the recovery codes; a sign-in with one of them.
    const { secret } = (await post('/auth/totp/setup', {}, friend)).json();
    keep(secret);
    const codes = (await post('/auth/totp/enable', { code: totpCode(secret, Date.now()) }, friend)).json().recovery_codes as string[];
    codes.forEach(keep);
    await post('/auth/login', { email: 'friend@example.com', password: 'friend password 6', recovery_code: codes[0] });
    await h.rt.createWorker({ pollMs: 10 }).drain();

    const text = log.text;
    // The log was written — one access-log line for each of the 15 requests above — so its
    // silence about secrets means something.
    expect(log.records().filter((r) => r.msg === 'request completed').length).toBeGreaterThanOrEqual(15);
    expect(text).toContain('/auth/password-reset/confirm');
    for (const s of secrets) expect(text, `a secret (${s.slice(0, 4)}…) is in the log`).not.toContain(s);

    // Nor in the message log: the platform's emails are stored with their links' tokens masked
    // (the real text sealed for the worker), though the simulated mailbox received them whole.
    const delivered = await h.rt.store.delivery.inbox({ limit: 100 });
    const withLinks = delivered.filter((d) => d.body.includes('?token='));
    expect(withLinks.length).toBeGreaterThanOrEqual(3);
    for (const d of withLinks) {
      const stored = await h.rt.store.messages.get(d.account_id, d.message_id);
      expect(stored?.status).toBe('delivered');
      expect(stored!.body).toContain('?token=[sealed]');
      expect(d.body).not.toContain('[sealed]');
      for (const s of secrets) expect(JSON.stringify(stored), `a secret (${s.slice(0, 4)}…) is in a stored message`).not.toContain(s);
    }
  });
});
