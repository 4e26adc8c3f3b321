import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignNumber } from '../../src/modules/numbers/numbers.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { expectError } from '../support/http-assert.ts';

const TOKEN = 'inbound-token-0123456789abcdef';

/** An HTTP SMS provider's inbound callback (POST /providers/{name}/inbound), read by its configured fields. */
describe.each(BACKENDS)('inbound SMS from an HTTP provider on %s', (backend) => {
  let h: Harness;
  let a: TestAccount;
  const NUMBER = '+447400123141';

  beforeAll(async () => {
    const providers = [
      {
        name: 'acme',
        url: 'http://127.0.0.1:9/v1/messages',
        body: { to: '{to}', text: '{text}' },
        idPath: 'id',
        inbound: { fromField: 'msisdn', toField: 'data.to', textField: 'data.text' },
      },
      { name: 'plain', url: 'http://127.0.0.1:9/send', body: { to: '{to}', text: '{text}' }, idPath: 'id' },
    ];
    h = await createHarness(backend, { env: { HELLIO_HTTP_SMS_PROVIDERS: JSON.stringify(providers), HELLIO_PROVIDER_CALLBACK_TOKEN: TOKEN } });
    a = await h.account();
    await assignNumber(h.rt.ctx, null, a.id, NUMBER);
  });
  afterAll(async () => {
    await h?.close();
  });

  const post = (name: string, payload: object, token = TOKEN) => h.app.inject({ method: 'POST', url: `/providers/${name}/inbound?token=${token}`, payload });
  const inbound = async () => (await h.app.inject({ method: 'GET', url: '/messages?direction=inbound', headers: bearer(a.key) })).json().data;

  it('stores the message for the number’s account, answering once it is stored', async () => {
    const res = await post('acme', { msisdn: '447911123456', data: { to: '447400123141', text: 'Running late, sorry' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ received: true, stored: true });
    expect((await inbound())[0]).toMatchObject({ direction: 'inbound', from: '+447911123456', to: NUMBER, body: 'Running late, sorry', status: 'received' });
  });

  it('applies STOP from it like from any network', async () => {
    expect((await post('acme', { msisdn: '+447911123457', data: { to: NUMBER, text: 'QUIT' } })).statusCode).toBe(200);
    const s = (await h.app.inject({ method: 'GET', url: '/suppressions', headers: bearer(a.key) })).json().data;
    expect(s).toMatchObject([{ value: '+447911123457', source: 'stop', reason: 'QUIT' }]);
  });

  it('refuses a wrong token, an unknown provider, one without inbound, and a body without the fields', async () => {
    expectError(await post('acme', { msisdn: '1', data: { to: NUMBER, text: 'x' } }, 'wrong'), 401, 'invalid_credentials');
    expectError(await post('nobody', { msisdn: '1' }), 404, 'not_found');
    expect((await post('plain', { msisdn: '447911123456', data: { to: NUMBER, text: 'x' } })).json()).toEqual({ received: true, stored: false });
    const before = (await inbound()).length;
    expect((await post('acme', { msisdn: '447911123456', data: { text: 'no to' } })).json()).toEqual({ received: true, stored: false });
    expect(await inbound()).toHaveLength(before);
  });
});
