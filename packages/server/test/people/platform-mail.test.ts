import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/modules/people/users.ts';
import { BACKENDS, createHarness, type Harness } from '../support/harness.ts';
import { expectError } from '../support/http-assert.ts';
import { mailTo } from '../support/mailbox.ts';
import { person } from '../support/people.ts';

describe.each(BACKENDS)('the platform mail account (%s)', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(backend);
  });
  afterAll(async () => h?.close());

  it('sends the platform mail through the email channel, unpaid, and is out of reach of every session, operators included', async () => {
    const acc = await h.account();
    await createUser(h.rt.ctx, null, { email: 'forgetful@example.com', password: 'a long password', accountId: acc.id });
    const asked = await h.app.inject({ method: 'POST', url: '/auth/password-reset', payload: { email: 'forgetful@example.com' } });
    expect(asked.statusCode, asked.body).toBe(202);
    const [mail] = await mailTo(h, 'forgetful@example.com');
    expect(mail?.body).toMatch(/reset-password\?token=/);

    const platform = (await h.rt.store.secrets.get('platform_mail_account'))!;
    expect(platform).toMatch(/^acc_/);
    expect((await h.rt.store.accounts.get(platform))!.balance_micros).toBe(0);
    const operator = await person(h, { operator: true });
    for (const path of ['', '/messages', '/sandbox/inbox', '/keys']) {
      expectError(await h.app.inject({ method: 'GET', url: `/accounts/${platform}${path}`, headers: operator.headers() }), 404, 'not_found');
    }
    // The same operator reaches any customer's account.
    expect((await h.app.inject({ method: 'GET', url: `/accounts/${acc.id}/messages`, headers: operator.headers() })).statusCode).toBe(200);
  });
});
