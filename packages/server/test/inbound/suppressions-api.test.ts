import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { expectError } from '../support/http-assert.ts';

describe.each(BACKENDS)('/suppressions and the accept path on %s', (backend) => {
  let h: Harness;
  let a: TestAccount;
  let b: TestAccount;
  const req = (acc: { key: string }, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: bearer(acc.key), ...(payload ? { payload } : {}) });
  const balance = async (acc: TestAccount) => (await req(acc, 'GET', '/balance')).json().balance as string;

  beforeAll(async () => {
    h = await createHarness(backend);
    a = await h.account();
    b = await h.account();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('adds (idempotently), lists by channel and source with a cursor, and deletes', async () => {
    const first = await req(a, 'POST', '/suppressions', { channel: 'sms', value: '+44 7911 123401', reason: 'asked by phone' });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ channel: 'sms', value: '+447911123401', source: 'manual', reason: 'asked by phone', created: true });
    const again = await req(a, 'POST', '/suppressions', { channel: 'sms', value: '+447911123401' });
    expect(again.json()).toMatchObject({ id: first.json().id, created: false });
    await req(a, 'POST', '/suppressions', { channel: 'email', value: 'Someone@Example.org' });
    await req(a, 'POST', '/suppressions', { channel: 'sms', value: '+447911123402' });

    const sms = (await req(a, 'GET', '/suppressions?channel=sms&limit=1')).json();
    expect(sms.data).toHaveLength(1);
    expect(sms.data[0].value).toBe('+447911123402');
    const rest = (await req(a, 'GET', `/suppressions?channel=sms&limit=1&cursor=${sms.next_cursor}`)).json();
    expect(rest.data.map((s: { value: string }) => s.value)).toEqual(['+447911123401']);
    const emails = (await req(a, 'GET', '/suppressions?channel=email')).json();
    expect(emails.data.map((s: { value: string }) => s.value)).toEqual(['someone@example.org']);
    expect((await req(a, 'GET', '/suppressions?source=stop')).json().data).toEqual([]);
    // Account B sees none of them.
    expect((await req(b, 'GET', '/suppressions')).json().data).toEqual([]);

    const del = await req(a, 'DELETE', '/suppressions?channel=email&value=SOMEONE@example.org');
    expect(del.statusCode, del.body).toBe(200);
    expectError(await req(a, 'DELETE', '/suppressions?channel=email&value=someone@example.org'), 404, 'not_found');
    const byId = await req(a, 'DELETE', `/suppressions/${rest.data[0].id}`);
    expect(byId.json().value).toBe('+447911123401');
    expectError(await req(a, 'DELETE', `/suppressions/${rest.data[0].id}`), 404, 'not_found');
  });

  it('refuses what it must', async () => {
    expectError(await req(a, 'POST', '/suppressions', { channel: 'sms', value: 'not a number' }), 422, 'validation_failed');
    expectError(await req(a, 'POST', '/suppressions', { channel: 'fax', value: '+447911123401' }), 422, 'validation_failed');
    expectError(await req(a, 'GET', '/suppressions?cursor=msg_nope'), 422, 'validation_failed');
    expectError(await req(a, 'DELETE', '/suppressions?channel=sms&value=nope'), 422, 'validation_failed');
    // The channel's send scope: an email-only key cannot touch the SMS list, nor a reports key add.
    const emailOnly = await h.key(a.id, { scopes: 'email:send,reports' });
    expectError(await req(emailOnly, 'POST', '/suppressions', { channel: 'sms', value: '+447911123409' }), 403, 'insufficient_scope');
    expect((await req(emailOnly, 'POST', '/suppressions', { channel: 'email', value: 'x@example.org' })).statusCode).toBe(200);
    expectError(await req(emailOnly, 'POST', '/suppressions/import', { csv: 'sms,+447911123409' }), 403, 'insufficient_scope');
    const reportsOnly = await h.key(a.id, { scopes: 'reports' });
    expectError(await req(reportsOnly, 'POST', '/suppressions', { channel: 'email', value: 'y@example.org' }), 403, 'insufficient_scope');
    expect((await req(reportsOnly, 'GET', '/suppressions')).statusCode).toBe(200);
    const smsOnly = await h.key(a.id, { scopes: 'sms:send' });
    expectError(await req(smsOnly, 'GET', '/suppressions'), 403, 'insufficient_scope');
    // Another account's id reads as missing.
    const bEntry = (await req(b, 'POST', '/suppressions', { channel: 'sms', value: '+447911123408' })).json();
    expectError(await req(a, 'DELETE', `/suppressions/${bEntry.id}`), 404, 'not_found');
    expect((await req(b, 'GET', '/suppressions')).json().data).toHaveLength(1);
  });

  it('imports CSV (with or without a header, reporting bad lines) and exports it back', async () => {
    const acc = await h.account();
    const csv = ['channel,value,reason', 'sms,+447911123501,from the old system', 'email,"Ann@Example.com","said ""no"""', 'sms,12345,bad', "sms,'+447911123502,", 'fax,+447911123503,'].join('\r\n');
    const res = await req(acc, 'POST', '/suppressions/import', { csv });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ added: 3, existing: 0, invalid: [{ line: 4, message: 'value must be an E.164 number' }, { line: 6, message: 'channel must be sms or email' }] });
    const again = (await req(acc, 'POST', '/suppressions/import', { csv: '+447911123501\n+447911123504\n', channel: 'sms' })).json();
    expect(again).toEqual({ added: 1, existing: 1, invalid: [] });
    expectError(await req(acc, 'POST', '/suppressions/import', { csv: 'sms,"+4479' }), 422, 'validation_failed');

    const exported = await req(acc, 'GET', '/suppressions.csv?channel=sms');
    expect(exported.statusCode).toBe(200);
    expect(exported.headers['content-type']).toMatch(/^text\/csv/);
    const lines = exported.body.trim().split('\r\n');
    expect(lines[0]).toBe('channel,value,source,reason,created_at,id');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 3).join(','))).toEqual(['sms,+447911123504,import', 'sms,+447911123502,import', 'sms,+447911123501,import']);
    expect(lines).toHaveLength(4);
    // The export imports back into another account as it is.
    const other = await h.account();
    const round = (await req(other, 'POST', '/suppressions/import', { csv: (await req(acc, 'GET', '/suppressions.csv')).body })).json();
    expect(round).toEqual({ added: 4, existing: 0, invalid: [] });
    const email = (await req(other, 'GET', '/suppressions?channel=email')).json().data[0];
    expect(email).toMatchObject({ value: 'ann@example.com', reason: 'said "no"', source: 'import' });
  });

  it('refuses a send to a suppressed recipient (SMS, email, OTP, voice) and charges nothing', async () => {
    const acc = await h.account();
    await req(acc, 'POST', '/suppressions', { channel: 'sms', value: '+447911123601' });
    await req(acc, 'POST', '/suppressions', { channel: 'email', value: 'gone@example.org' });
    const before = await balance(acc);
    expectError(await req(acc, 'POST', '/sms/send', { from: 'HELLIO', to: '+447911123601', message: 'hi' }), 422, 'recipient_suppressed');
    expectError(await req(acc, 'POST', '/send', { from: 'news@example.com', to: ['ok@example.org'], cc: ['GONE@example.org'], subject: 's', text: 't' }), 422, 'recipient_suppressed');
    expectError(await req(acc, 'POST', '/otp/send', { to: '+447911123601' }), 422, 'recipient_suppressed');
    expectError(await req(acc, 'POST', '/otp/send', { to: 'gone@example.org', channel: 'email', sender: 'news@example.com' }), 422, 'recipient_suppressed');
    expectError(await req(acc, 'POST', '/voice/send', { to: '+447911123601', text: 'hello' }), 422, 'recipient_suppressed');
    // Twilio's own code on its compatible API (form-encoded, HTTP Basic with the account SID), Kannel's denied number on its.
    const sid = (await h.rt.store.accounts.get(acc.id))!.twilio_account_sid;
    const tw = await h.app.inject({
      method: 'POST',
      url: `/twilio/2010-04-01/Accounts/${sid}/Messages.json`,
      headers: { authorization: `Basic ${Buffer.from(`${sid}:${acc.key}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ To: '+447911123601', From: 'HELLIO', Body: 'hi' }).toString(),
    });
    expect(tw.statusCode, tw.body).toBe(400);
    expect(tw.json()).toMatchObject({ code: 21610, status: 400 });
    const kannel = await h.app.inject({ method: 'GET', url: `/cgi-bin/sendsms?${new URLSearchParams({ username: acc.keyId, password: acc.key, from: 'HELLIO', to: '+447911123601', text: 'hi' })}` });
    expect(kannel.statusCode, kannel.body).toBe(400);
    expect(kannel.body).toContain('denied');
    expect(await balance(acc)).toBe(before);
    expect((await req(acc, 'GET', '/messages')).json().data).toEqual([]);
    // Another account is not affected.
    const other = await h.account();
    expect((await req(other, 'POST', '/sms/send', { from: 'HELLIO', to: '+447911123601', message: 'hi' })).statusCode).toBe(200);
  });

  it('keeps a suppressed recipient of a campaign as a message "suppressed", uncharged, counted', async () => {
    const acc = await h.account();
    await req(acc, 'POST', '/suppressions', { channel: 'sms', value: '+447911123702' });
    const before = await balance(acc);
    const one = (await req(acc, 'POST', '/sms/send', { from: 'HELLIO', to: '+447911123799', message: 'price probe' })).json();
    const unit = Number(one.total_price);
    const afterOne = await balance(acc);
    const jobsBefore = await h.rt.store.jobs.countByKind('deliver.sms');
    const res = await req(acc, 'POST', '/sms/send', { from: 'HELLIO', to: ['+447911123701', '+447911123702', '+447911123703'], message: 'hello all' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    const byTo = Object.fromEntries(body.messages.map((m: { to: string }) => [m.to, m]));
    expect(byTo['+447911123702']).toMatchObject({ status: 'suppressed', price: '0.0000' });
    expect(byTo['+447911123701'].status).toBe('queued');
    expect(Number(body.total_price)).toBeCloseTo(unit * 2, 6);
    expect(Number(afterOne) - Number(await balance(acc))).toBeCloseTo(unit * 2, 6);
    expect(Number(before) - Number(afterOne)).toBeCloseTo(unit, 6);
    const campaign = (await req(acc, 'GET', `/campaigns/${body.campaign_id}`)).json();
    expect(campaign.total_messages).toBe(3);
    expect(campaign.status_counts).toMatchObject({ queued: 2, suppressed: 1 });
    const listed = (await req(acc, 'GET', '/messages?status=suppressed')).json().data;
    expect(listed.map((m: { to: string; direction: string }) => [m.to, m.direction])).toEqual([['+447911123702', 'outbound']]);
    // A delivery job for the two others only.
    expect((await h.rt.store.jobs.countByKind('deliver.sms')) - jobsBefore).toBe(2);

    // Every recipient suppressed: accepted, nothing charged or sent, the campaign complete at once.
    await req(acc, 'POST', '/suppressions', { channel: 'sms', value: '+447911123701' });
    const balanceBefore = await balance(acc);
    const none = await req(acc, 'POST', '/sms/send', { from: 'HELLIO', to: ['+447911123701', '+447911123702'], message: 'nobody' });
    expect(none.statusCode, none.body).toBe(200);
    expect(none.json()).toMatchObject({ total_price: '0.0000', messages: [{ status: 'suppressed' }, { status: 'suppressed' }] });
    expect(await balance(acc)).toBe(balanceBefore);
    const done = (await req(acc, 'GET', `/campaigns/${none.json().campaign_id}`)).json();
    expect(done).toMatchObject({ total_messages: 2, cost: '0.0000', status_counts: { suppressed: 2, queued: 0 } });
    expect((await h.rt.store.campaigns.get(acc.id, none.json().campaign_id))!.final_count).toBe(2);
  });
});
