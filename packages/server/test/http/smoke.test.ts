import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, bearer, createHarness, type Harness } from '../support/harness.ts';

describe.each(BACKENDS)('smoke on %s', (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness(backend);
  });
  afterAll(async () => h?.close());

  it('accepts an SMS and shows it queued', async () => {
    const a = await h.account();
    const res = await h.app.inject({ method: 'POST', url: '/sms/send', headers: bearer(a.key), payload: { from: 'HELLIO', to: '+14155552671', message: 'hi' } });
    expect(res.statusCode).toBe(200);
    const id = res.json().messages[0].id;
    const got = await h.app.inject({ method: 'GET', url: `/messages/${id}`, headers: bearer(a.key) });
    expect(got.json()).toMatchObject({ id, status: 'queued', to: '+14155552671', events: [{ status: 'queued' }] });
  });
});
