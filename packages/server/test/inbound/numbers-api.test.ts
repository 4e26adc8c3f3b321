import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAudit, lastAudit } from '../support/admin.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { expectError } from '../support/http-assert.ts';
import { person, type Session } from '../support/people.ts';

/** /admin/numbers (operators), /numbers and /numbers/replies (the account). */
describe.each(BACKENDS)('numbers and consent replies over HTTP on %s', (backend) => {
  let h: Harness;
  let op: Session;
  let a: TestAccount;
  let b: TestAccount;
  const admin = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object, who: Session = op) =>
    h.app.inject({ method, url, headers: who.headers(), ...(payload !== undefined ? { payload } : {}) });
  const call = (acc: { key: string }, method: 'GET' | 'PATCH', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: bearer(acc.key), ...(payload !== undefined ? { payload } : {}) });

  beforeAll(async () => {
    h = await createHarness(backend);
    op = await person(h, { operator: true });
    a = await h.account();
    b = await h.account();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('assigns, lists, releases (audited); refuses a taken number, a malformed one, an unknown account', async () => {
    const res = await admin('POST', '/admin/numbers', { account_id: a.id, number: '+44 7400 123150' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ number: '+447400123150', account_id: a.id });
    expectAudit(await lastAudit(h, 'number.assign', '+447400123150'), { action: 'number.assign', by: op, target: '+447400123150', accountId: a.id });
    // Again to its owner: unchanged; to another account: 409.
    expect((await admin('POST', '/admin/numbers', { account_id: a.id, number: '+447400123150' })).statusCode).toBe(200);
    expectError(await admin('POST', '/admin/numbers', { account_id: b.id, number: '+447400123150' }), 409, 'conflict');
    expectError(await admin('POST', '/admin/numbers', { account_id: a.id, number: '07400123150' }), 422, 'validation_failed');
    expectError(await admin('POST', '/admin/numbers', { account_id: 'acc_00000000000000000000000000', number: '+447400123151' }), 404, 'not_found');

    expect((await admin('GET', `/admin/numbers?account_id=${a.id}`)).json().data.map((n: { number: string }) => n.number)).toEqual(['+447400123150']);
    expect((await call(a, 'GET', '/numbers')).json().data).toMatchObject([{ number: '+447400123150', account_id: a.id }]);
    expect((await call(b, 'GET', '/numbers')).json().data).toEqual([]);

    const released = await admin('DELETE', `/admin/numbers?number=${encodeURIComponent('+447400123150')}`);
    expect(released.json()).toMatchObject({ number: '+447400123150', released: true });
    expectAudit(await lastAudit(h, 'number.release', '+447400123150'), { action: 'number.release', by: op, target: '+447400123150', accountId: a.id });
    expectError(await admin('DELETE', `/admin/numbers?number=${encodeURIComponent('+447400123150')}`), 404, 'not_found');
    expect((await admin('GET', '/admin/numbers')).json().data.map((n: { number: string }) => n.number)).not.toContain('+447400123150');
  });

  it('is for operators only', async () => {
    const member = await person(h, { accountId: a.id, role: 'owner' });
    expectError(await admin('GET', '/admin/numbers', undefined, member), 403, 'forbidden');
    expectError(await admin('POST', '/admin/numbers', { account_id: a.id, number: '+447400123152' }, member), 403, 'forbidden');
  });

  it('sets the replies to STOP, START and HELP: own text, none, back to the default; checks length and scope', async () => {
    const defaults = (await call(a, 'GET', '/numbers/replies')).json();
    expect(defaults.stop).toMatchObject({ default: true, text: expect.stringContaining('START') });
    const set = await call(a, 'PATCH', '/numbers/replies', { stop: 'Bye from Acme', help: '' });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ stop: { text: 'Bye from Acme', default: false }, help: { text: '', default: false }, start: defaults.start });
    // A field left out stays; null goes back to the default.
    expect((await call(a, 'PATCH', '/numbers/replies', { help: null })).json()).toMatchObject({ stop: { text: 'Bye from Acme' }, help: defaults.help });
    // Another account's are its own.
    expect((await call(b, 'GET', '/numbers/replies')).json()).toEqual(defaults);
    expectError(await call(a, 'PATCH', '/numbers/replies', { stop: 'x'.repeat(460) }), 422, 'validation_failed');
    expectError(await call(a, 'PATCH', '/numbers/replies', { stopp: 'typo' }), 422, 'validation_failed');
    const reportsOnly = await h.key(a.id, { scopes: 'reports' });
    expectError(await call(reportsOnly, 'PATCH', '/numbers/replies', { stop: 'no' }), 403, 'insufficient_scope');
    const smsOnly = await h.key(a.id, { scopes: 'sms:send' });
    expectError(await call(smsOnly, 'GET', '/numbers/replies'), 403, 'insufficient_scope');
  });
});
