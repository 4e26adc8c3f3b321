/**
 * `hellio otp …`: the admin commands of OTP verification, run as the real binary beside an app on
 * the same database, their effect checked through that app's API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, hellio } from '../support/cli.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { expectError } from '../support/http-assert.ts';

const STEP_TIMEOUT = 60_000;

function json(r: CliResult): any {
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(r.stdout);
}

describe.each(BACKENDS)('hellio otp on %s', (backend) => {
  let h: Harness;
  let a: TestAccount;
  const cli = (...args: string[]) => hellio(['--json', 'otp', ...args], h.database.env);
  const send = (to: string) => h.app.inject({ method: 'POST', url: '/otp/send', headers: bearer(a.key), payload: { to } });

  beforeAll(async () => {
    h = await createHarness(backend, { env: { HELLIO_OTP_PUMPING_MIN_SENDS: '3', HELLIO_OTP_PUMPING_MIN_APPROVAL_PERCENT: '50' } });
    a = await h.account();
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it('countries: all by default; --allow restricts the destinations; --allow all lifts it', { timeout: STEP_TIMEOUT }, async () => {
    expect(json(await cli('countries', '--account', a.id))).toEqual({ account: a.id, allowed_countries: null });
    expect(json(await cli('countries', '--account', a.id, '--allow', 'us, gb'))).toEqual({ account: a.id, allowed_countries: ['GB', 'US'] });
    expect((await send('+447400123456')).statusCode).toBe(200);
    const err = expectError(await send('+33612345678'), 403, 'country_not_allowed');
    expect(err.message).toContain('FR');

    const refused = await cli('countries', '--account', a.id, '--allow', 'US,XX');
    expect(refused.code).not.toBe(0);
    expect(JSON.parse(refused.stderr)).toMatchObject({ code: 'validation_failed', message: expect.stringContaining('XX') });
    const missing = await cli('countries', '--account', 'acc_00000000000000000000000000', '--allow', 'US');
    expect(JSON.parse(missing.stderr).code).toBe('not_found');

    expect(json(await cli('countries', '--account', a.id, '--allow', 'all'))).toEqual({ account: a.id, allowed_countries: null });
    expect((await send('+33612345678')).statusCode).toBe(200);
  });

  it('blocks lists what the pumping defence paused and why; unblock lifts it', { timeout: STEP_TIMEOUT }, async () => {
    expect(json(await cli('blocks', '--account', a.id))).toEqual({ data: [] });
    for (const to of ['+12025552101', '+12025552102']) expect((await send(to)).statusCode).toBe(200);
    expectError(await send('+12025552103'), 429, 'otp_prefix_blocked');

    const { data } = json(await cli('blocks', '--account', a.id));
    expect(data).toEqual([
      {
        prefix: '+120255',
        blocked_until: expect.any(String),
        sends: 3,
        approvals: 0,
        reason: expect.stringContaining('suspected SMS pumping'),
        blocked_at: expect.any(String),
      },
    ]);
    expect(json(await cli('unblock', '--account', a.id, '--prefix', '+120255'))).toEqual({ account: a.id, prefix: '+120255', lifted: true });
    expect(json(await cli('blocks', '--account', a.id))).toEqual({ data: [] });
    // Lifted by hand, the prefix starts counting afresh instead of tripping again at once.
    expect((await send('+12025552104')).statusCode).toBe(200);
    expect(json(await cli('unblock', '--account', a.id, '--prefix', '+120255')).lifted).toBe(false);
  });
});
