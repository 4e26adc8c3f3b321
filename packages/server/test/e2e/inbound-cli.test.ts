/**
 * `hellio numbers …`, `hellio suppressions …` and `hellio sandbox mo`: the real binary beside an
 * app on the same database, their effect checked through that app's API.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, hellio } from '../support/cli.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { expectError } from '../support/http-assert.ts';

const STEP_TIMEOUT = 90_000;

function json(r: CliResult): any {
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(r.stdout);
}

describe.each(BACKENDS)('hellio numbers, suppressions and sandbox mo on %s', (backend) => {
  let h: Harness;
  let a: TestAccount;
  let b: TestAccount;
  const dir = mkdtempSync(join(tmpdir(), 'hellio-inbound-cli-'));
  const cli = (...args: string[]) => hellio(['--json', ...args], h.database.env);
  const api = (acc: TestAccount, method: 'GET' | 'POST', url: string, payload?: object) => h.app.inject({ method, url, headers: bearer(acc.key), ...(payload ? { payload } : {}) });

  beforeAll(async () => {
    h = await createHarness(backend);
    a = await h.account();
    b = await h.account();
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('numbers: assign, list, release; a reply to an assigned number arrives, a STOP takes effect', { timeout: STEP_TIMEOUT }, async () => {
    expect(json(await cli('numbers', 'assign', '--account', a.id, '--number', '+44 7400 123142'))).toMatchObject({ number: '+447400123142', account_id: a.id });
    const taken = await cli('numbers', 'assign', '--account', b.id, '--number', '+447400123142');
    expect(taken.code).not.toBe(0);
    expect(JSON.parse(taken.stderr).code).toBe('conflict');
    expect(json(await cli('numbers', 'list', '--account', a.id)).data.map((n: { number: string }) => n.number)).toEqual(['+447400123142']);
    expect((await api(a, 'GET', '/numbers')).json().data).toMatchObject([{ number: '+447400123142' }]);
    // The number is now one of the account's senders.
    expect((await api(a, 'POST', '/sms/send', { from: '+447400123142', to: '+447911123461', message: 'Reply YES to confirm' })).statusCode).toBe(200);

    expect(json(await cli('sandbox', 'mo', '--from', '+447911123461', '--to', '+447400123142', '--text', 'Yes, see you then'))).toEqual({ from: '+447911123461', to: '+447400123142', delivered: true });
    expect(json(await cli('sandbox', 'mo', '--from', '+447911123461', '--to', '+447400123142', '--text', 'STOP'))).toMatchObject({ delivered: true });
    const inbound = (await api(a, 'GET', '/messages?direction=inbound')).json().data;
    expect(inbound.map((m: { body: string }) => m.body)).toEqual(['STOP', 'Yes, see you then']);
    expectError(await api(a, 'POST', '/sms/send', { from: '+447400123142', to: '+447911123461', message: 'again' }), 422, 'recipient_suppressed');

    expect(json(await cli('numbers', 'release', '--number', '+447400123142'))).toMatchObject({ released: true, account_id: a.id });
    expect(json(await cli('sandbox', 'mo', '--from', '+447911123461', '--to', '+447400123142', '--text', 'hello?'))).toMatchObject({ delivered: false });
    expect((await api(a, 'GET', '/messages?direction=inbound')).json().data).toHaveLength(2);
    const missing = await cli('numbers', 'release', '--number', '+447400123142');
    expect(JSON.parse(missing.stderr).code).toBe('not_found');
  });

  it('suppressions: add, list, remove, import, export', { timeout: STEP_TIMEOUT }, async () => {
    const added = json(await cli('suppressions', 'add', '--account', b.id, '--channel', 'email', '--value', 'Ada@Example.com', '--reason', 'asked'));
    expect(added).toMatchObject({ channel: 'email', value: 'ada@example.com', source: 'manual', reason: 'asked', created: true });
    expectError(await api(b, 'POST', '/send', { from: 'hi@example.com', to: 'ada@example.com', subject: 's', text: 't' }), 422, 'recipient_suppressed');

    const file = join(dir, 'list.csv');
    writeFileSync(file, 'value,reason\n+447911123471,old list\nnot-a-number,\n');
    expect(json(await cli('suppressions', 'import', '--account', b.id, '--channel', 'sms', '--file', file))).toEqual({ added: 1, existing: 0, invalid: [{ line: 3, message: 'value must be an E.164 number' }] });
    const list = json(await cli('suppressions', 'list', '--account', b.id));
    expect(list.data.map((s: { value: string; source: string }) => [s.value, s.source])).toEqual([
      ['+447911123471', 'import'],
      ['ada@example.com', 'manual'],
    ]);
    expect(json(await cli('suppressions', 'list', '--account', b.id, '--source', 'import')).data).toHaveLength(1);
    const exported = json(await cli('suppressions', 'export', '--account', b.id, '--channel', 'sms')).csv as string;
    expect(exported.split('\r\n')[1]).toMatch(/^sms,\+447911123471,import,old list,/);

    expect(json(await cli('suppressions', 'remove', '--account', b.id, '--channel', 'email', '--value', 'ADA@example.com'))).toMatchObject({ removed: true });
    expect((await api(b, 'POST', '/send', { from: 'hi@example.com', to: 'ada@example.com', subject: 's', text: 't' })).statusCode).toBe(200);
    const bad = await cli('suppressions', 'add', '--account', b.id, '--channel', 'fax', '--value', '+447911123471');
    expect(JSON.parse(bad.stderr).code).toBe('validation_failed');
  });
});
