/**
 * The operators' admin API, part 1: accounts (list, search, detail, create, activate, suspend),
 * wallets (top-up, adjustment) and senders (direct approval, the request queue). Each action
 * leaves an audit row naming the operator, and takes effect through the real key pipeline.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeKey } from '../../src/modules/access/keys.ts';
import { requestSender } from '../../src/modules/messages/sender-requests.ts';
import { auditCount, expectAudit, lastAudit } from '../support/admin.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { expectError } from '../support/http-assert.ts';
import { person, type Session } from '../support/people.ts';

const MISSING_ACC = 'acc_01aaaaaaaaaaaaaaaaaaaaaaaa';
const MISSING_SDR = 'sdr_01aaaaaaaaaaaaaaaaaaaaaaaa';

describe.each(BACKENDS)('admin API: accounts, wallets, senders (%s)', (backend) => {
  let h: Harness;
  let op: Session;
  let acc: TestAccount;
  beforeAll(async () => {
    h = await createHarness(backend);
    op = await person(h, { operator: true });
    acc = await h.account();
  });
  afterAll(async () => h?.close());

  const admin = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: op.headers(), ...(payload !== undefined ? { payload } : {}) });
  const sms = (key: string, from = 'HELLIO') => h.app.inject({ method: 'POST', url: '/sms/send', headers: bearer(key), payload: { from, to: '+14155552671', message: 'hi' } });

  describe('accounts', () => {
    it('creates an account (active by default), shows it with its wallet, caps and counts, and audits account.create', async () => {
      const res = await admin('POST', '/admin/accounts', { name: '  Acme Ltd  ' });
      expect(res.statusCode, res.body).toBe(200);
      const a = res.json();
      expect(a).toMatchObject({ name: 'Acme Ltd', status: 'active', balance: '0.0000', currency: 'USD', member_count: 0, key_count: 0, ip_allowlist: [], balance_low: null, rate_limit_per_minute: null });
      expect(a.id).toMatch(/^acc_[0-9a-z]{26}$/);
      // Its user name on the Twilio-compatible API, made with it (docs/compat-twilio.md).
      expect(a.twilio_account_sid).toMatch(/^AC[0-9a-f]{32}$/);
      expect(a.spend_caps).toEqual({ daily: { limit: null, used: '0.0000' }, monthly: { limit: null, used: '0.0000' } });
      expectAudit(await lastAudit(h, 'account.create', a.id), { action: 'account.create', by: op, target: a.id, accountId: a.id, after: { name: 'Acme Ltd', status: 'active' } });

      const got = await admin('GET', `/admin/accounts/${a.id}`);
      expect(got.statusCode).toBe(200);
      expect(got.json()).toEqual(a);
    });

    it('counts members and live keys (not revoked ones) in the detail', async () => {
      const a = await h.account({ balance: '12.50' });
      await person(h, { accountId: a.id, role: 'viewer' });
      await person(h, { accountId: a.id, role: 'owner' });
      const revoked = await h.key(a.id);
      await revokeKey(h.rt.ctx, revoked.id);
      const d = (await admin('GET', `/admin/accounts/${a.id}`)).json();
      expect(d).toMatchObject({ id: a.id, balance: '12.5000', member_count: 2, key_count: 1, status: 'active' });
    });

    it('refuses a blank name or an unknown status (422) and writes nothing', async () => {
      const before = await auditCount(h, 'account.create');
      expectError(await admin('POST', '/admin/accounts', { name: '   ' }), 422, 'validation_failed');
      expectError(await admin('POST', '/admin/accounts', { name: 'X', status: 'frozen' }), 422, 'validation_failed');
      expectError(await admin('POST', '/admin/accounts', {}), 422, 'validation_failed');
      expect(await auditCount(h, 'account.create')).toBe(before);
    });

    it('answers 404 for a missing account on every account route', async () => {
      expectError(await admin('GET', `/admin/accounts/${MISSING_ACC}`), 404, 'not_found');
      expectError(await admin('GET', '/admin/accounts/usr_01aaaaaaaaaaaaaaaaaaaaaaaa'), 404, 'not_found');
      expectError(await admin('POST', `/admin/accounts/${MISSING_ACC}/activate`), 404, 'not_found');
      expectError(await admin('POST', `/admin/accounts/${MISSING_ACC}/suspend`), 404, 'not_found');
      expectError(await admin('POST', `/admin/accounts/${MISSING_ACC}/wallet/topup`, { amount: '1.00' }), 404, 'not_found');
      expectError(await admin('POST', `/admin/accounts/${MISSING_ACC}/wallet/adjust`, { amount: '1.00', note: 'x' }), 404, 'not_found');
      expectError(await admin('POST', `/admin/accounts/${MISSING_ACC}/senders`, { sender: 'ACME' }), 404, 'not_found');
      expectError(await admin('DELETE', `/admin/accounts/${MISSING_ACC}/senders`, { sender: 'ACME' }), 404, 'not_found');
    });

    it('lists accounts newest first with cursor pagination, search by name (any case) or id, and a status filter', async () => {
      const tag = `zq${Date.now().toString(36)}`;
      const made: string[] = [];
      for (const [name, status] of [[`${tag} One`, 'active'], [`${tag} Two`, 'pending'], [`${tag} Three`, 'active'], [`${tag} 100%_off`, 'suspended']] as const) {
        made.push((await admin('POST', '/admin/accounts', { name, status })).json().id);
      }
      const first = (await admin('GET', `/admin/accounts?search=${tag.toUpperCase()}&limit=3`)).json();
      expect(first.data.map((a: { id: string }) => a.id)).toEqual([made[3], made[2], made[1]]);
      expect(first.next_cursor).toBe(made[1]);
      const second = (await admin('GET', `/admin/accounts?search=${tag}&limit=3&cursor=${first.next_cursor}`)).json();
      expect(second.data.map((a: { id: string }) => a.id)).toEqual([made[0]]);
      expect(second.next_cursor).toBeNull();
      expect(second.data[0]).toMatchObject({ name: `${tag} One`, status: 'active', balance: '0.0000', currency: 'USD' });

      const pending = (await admin('GET', `/admin/accounts?search=${tag}&status=pending`)).json();
      expect(pending.data.map((a: { id: string }) => a.id)).toEqual([made[1]]);
      const byId = (await admin('GET', `/admin/accounts?search=${made[2]}`)).json();
      expect(byId.data.map((a: { id: string }) => a.id)).toEqual([made[2]]);
      // LIKE's wildcards are matched as themselves: "%_" finds only the name that has them.
      const literal = (await admin('GET', `/admin/accounts?search=${encodeURIComponent(`${tag} 100%_`)}`)).json();
      expect(literal.data.map((a: { id: string }) => a.id)).toEqual([made[3]]);
      expect((await admin('GET', `/admin/accounts?search=${tag}%25`)).json().data).toEqual([]);

      expectError(await admin('GET', '/admin/accounts?cursor=usr_01aaaaaaaaaaaaaaaaaaaaaaaa'), 422, 'validation_failed');
      expectError(await admin('GET', '/admin/accounts?status=frozen'), 422, 'validation_failed');
      expectError(await admin('GET', '/admin/accounts?limit=101'), 422, 'validation_failed');
    });

    it('keeps a pending account\'s keys at 403 account_not_active until it is activated, and suspends it again', async () => {
      const created = await admin('POST', '/admin/accounts', { name: 'Signed up', status: 'pending' });
      const id = created.json().id as string;
      expect(created.json().status).toBe('pending');
      const key = await h.key(id);
      expectError(await h.app.inject({ method: 'GET', url: '/balance', headers: bearer(key.key) }), 403, 'account_not_active');

      const activated = await admin('POST', `/admin/accounts/${id}/activate`);
      expect(activated.statusCode, activated.body).toBe(200);
      expect(activated.json()).toMatchObject({ id, status: 'active', key_count: 1 });
      expectAudit(await lastAudit(h, 'account.activate', id), { action: 'account.activate', by: op, target: id, accountId: id, before: { status: 'pending' }, after: { status: 'active' } });
      const ok = await h.app.inject({ method: 'GET', url: '/balance', headers: bearer(key.key) });
      expect(ok.statusCode, ok.body).toBe(200);

      const suspended = await admin('POST', `/admin/accounts/${id}/suspend`);
      expect(suspended.json().status).toBe('suspended');
      expectAudit(await lastAudit(h, 'account.suspend', id), { action: 'account.suspend', by: op, target: id, accountId: id, before: { status: 'active' }, after: { status: 'suspended' } });
      expectError(await h.app.inject({ method: 'GET', url: '/balance', headers: bearer(key.key) }), 403, 'account_not_active');
    });
  });

  describe('wallet', () => {
    it('tops up with a decimal string and audits wallet.topup with the balance before and after', async () => {
      const a = await h.account({ balance: '1.00' });
      const res = await admin('POST', `/admin/accounts/${a.id}/wallet/topup`, { amount: '10.50', note: 'invoice 42' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ account_id: a.id, balance: '11.5000', currency: 'USD' });
      const led = await h.rt.store.wallet.ledger(a.id);
      expect(led.at(-1)).toMatchObject({ kind: 'topup', amount_micros: 10_500_000, note: 'invoice 42' });
      expect(await h.rt.store.wallet.balance(a.id)).toBe(await h.rt.store.wallet.ledgerSum(a.id));
      expectAudit(await lastAudit(h, 'wallet.topup', a.id), {
        action: 'wallet.topup',
        by: op,
        target: a.id,
        accountId: a.id,
        before: { balance: '1.0000' },
        after: { balance: '11.5000', amount: '10.5000', note: 'invoice 42' },
      });
      const shown = await h.app.inject({ method: 'GET', url: '/balance', headers: bearer(a.key) });
      expect(shown.json().balance).toBe('11.5000');
    });

    it('adjusts by a signed amount with a required note, never below zero, and audits wallet.adjust', async () => {
      const a = await h.account({ balance: '5.00' });
      const down = await admin('POST', `/admin/accounts/${a.id}/wallet/adjust`, { amount: '-2.25', note: 'refund reversed' });
      expect(down.statusCode, down.body).toBe(200);
      expect(down.json().balance).toBe('2.7500');
      expectAudit(await lastAudit(h, 'wallet.adjust', a.id), {
        action: 'wallet.adjust',
        by: op,
        target: a.id,
        accountId: a.id,
        before: { balance: '5.0000' },
        after: { balance: '2.7500', amount: '-2.2500', note: 'refund reversed' },
      });
      const up = await admin('POST', `/admin/accounts/${a.id}/wallet/adjust`, { amount: '0.25', note: 'goodwill' });
      expect(up.json().balance).toBe('3.0000');

      const audits = await auditCount(h, 'wallet.adjust', a.id);
      expectError(await admin('POST', `/admin/accounts/${a.id}/wallet/adjust`, { amount: '-3.01', note: 'too much' }), 402, 'insufficient_balance');
      expectError(await admin('POST', `/admin/accounts/${a.id}/wallet/adjust`, { amount: '-1.00' }), 422, 'validation_failed');
      expectError(await admin('POST', `/admin/accounts/${a.id}/wallet/adjust`, { amount: '0', note: 'nothing' }), 422, 'validation_failed');
      expectError(await admin('POST', `/admin/accounts/${a.id}/wallet/topup`, { amount: '-1.00' }), 422, 'validation_failed');
      expectError(await admin('POST', `/admin/accounts/${a.id}/wallet/topup`, { amount: '0.00' }), 422, 'validation_failed');
      expectError(await admin('POST', `/admin/accounts/${a.id}/wallet/topup`, { amount: '1,50' }), 422, 'validation_failed');
      expectError(await admin('POST', `/admin/accounts/${a.id}/wallet/topup`, { amount: 'ten' }), 422, 'validation_failed');
      expect(await auditCount(h, 'wallet.adjust', a.id)).toBe(audits);
      expect(await h.rt.store.wallet.balance(a.id)).toBe(3_000_000);
      expect(await h.rt.store.wallet.balance(a.id)).toBe(await h.rt.store.wallet.ledgerSum(a.id));
    });
  });

  describe('senders', () => {
    it('approves a sender directly (sender.approve); the account can then send from it; revokes it again (sender.revoke)', async () => {
      expectError(await sms(acc.key, 'DIRECTCO'), 422, 'sender_not_approved');
      const res = await admin('POST', `/admin/accounts/${acc.id}/senders`, { sender: 'DIRECTCO' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ account_id: acc.id, kind: 'sms', sender: 'DIRECTCO', approved: true });
      expectAudit(await lastAudit(h, 'sender.approve', 'DIRECTCO'), { action: 'sender.approve', by: op, target: 'DIRECTCO', accountId: acc.id, after: { kind: 'sms', sender: 'DIRECTCO' } });
      expect((await sms(acc.key, 'DIRECTCO')).statusCode).toBe(200);

      const revoked = await admin('DELETE', `/admin/accounts/${acc.id}/senders`, { sender: 'DIRECTCO' });
      expect(revoked.statusCode, revoked.body).toBe(200);
      expect(revoked.json()).toEqual({ account_id: acc.id, sender: 'DIRECTCO', revoked: true });
      expectAudit(await lastAudit(h, 'sender.revoke', 'DIRECTCO'), { action: 'sender.revoke', by: op, target: 'DIRECTCO', accountId: acc.id, before: { kind: 'sms', sender: 'DIRECTCO' } });
      expectError(await sms(acc.key, 'DIRECTCO'), 422, 'sender_not_approved');
      expectError(await admin('DELETE', `/admin/accounts/${acc.id}/senders`, { sender: 'DIRECTCO' }), 404, 'not_found');
      expectError(await admin('POST', `/admin/accounts/${acc.id}/senders`, { sender: 'not a sender!' }), 422, 'validation_failed');
      expectError(await admin('POST', `/admin/accounts/${acc.id}/senders`, {}), 422, 'validation_failed');
    });

    it('approves a request from the queue: the sender works for its account only, and the request is decided (sender_request.approve)', async () => {
      const other = await h.account();
      const req = await requestSender(h.rt.ctx, null, acc.id, { sender: 'QUEUECO', note: 'order updates' });
      expectError(await sms(acc.key, 'QUEUECO'), 422, 'sender_not_approved');

      const queue = (await admin('GET', `/admin/sender-requests?account_id=${acc.id}`)).json();
      expect(queue.data.map((r: { id: string }) => r.id)).toContain(req.id);
      const res = await admin('POST', `/admin/sender-requests/${req.id}/approve`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ id: req.id, account_id: acc.id, kind: 'sms', sender: 'QUEUECO', status: 'approved', note: 'order updates', reason: null, decided_by: op.userId });
      expect(res.json().decided_at).toMatch(/Z$/);
      expectAudit(await lastAudit(h, 'sender_request.approve', req.id), {
        action: 'sender_request.approve',
        by: op,
        target: req.id,
        accountId: acc.id,
        before: { status: 'pending' },
        after: { status: 'approved', kind: 'sms', sender: 'QUEUECO' },
      });
      expect((await sms(acc.key, 'QUEUECO')).statusCode).toBe(200);
      expectError(await sms(other.key, 'QUEUECO'), 422, 'sender_not_approved');

      // Decided once: a second decision either way is a conflict, and changes nothing.
      expectError(await admin('POST', `/admin/sender-requests/${req.id}/approve`), 409, 'conflict');
      expectError(await admin('POST', `/admin/sender-requests/${req.id}/reject`, { reason: 'changed my mind' }), 409, 'conflict');
      expect((await h.rt.store.senderRequests.get(req.id))!.status).toBe('approved');
      expect(await auditCount(h, 'sender_request.reject', req.id)).toBe(0);
      expect(await auditCount(h, 'sender_request.approve', req.id)).toBe(1);
    });

    it('rejects a request with a required reason (sender_request.reject); the sender stays unapproved', async () => {
      const req = await requestSender(h.rt.ctx, null, acc.id, { sender: 'spam.example', note: null });
      expectError(await admin('POST', `/admin/sender-requests/${req.id}/reject`, {}), 422, 'validation_failed');
      expectError(await admin('POST', `/admin/sender-requests/${req.id}/reject`, { reason: '   ' }), 422, 'validation_failed');
      expect((await h.rt.store.senderRequests.get(req.id))!.status).toBe('pending');

      const res = await admin('POST', `/admin/sender-requests/${req.id}/reject`, { reason: ' Looks like bulk spam ' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toMatchObject({ id: req.id, kind: 'email_domain', sender: 'spam.example', status: 'rejected', reason: 'Looks like bulk spam', decided_by: op.userId });
      expectAudit(await lastAudit(h, 'sender_request.reject', req.id), {
        action: 'sender_request.reject',
        by: op,
        target: req.id,
        accountId: acc.id,
        before: { status: 'pending' },
        after: { status: 'rejected', reason: 'Looks like bulk spam' },
      });
      expect((await h.rt.store.senders.list(acc.id)).some((s) => s.value === 'spam.example')).toBe(false);
      expectError(await admin('POST', `/admin/sender-requests/${req.id}/approve`), 409, 'conflict');
      expectError(await admin('POST', `/admin/sender-requests/${req.id}/reject`, { reason: 'again' }), 409, 'conflict');
    });

    it('lists the queue oldest first, pending by default, with other statuses, an account filter and pagination', async () => {
      const a = await h.account();
      const r1 = await requestSender(h.rt.ctx, null, a.id, { sender: 'FIRSTCO', note: null });
      const r2 = await requestSender(h.rt.ctx, null, a.id, { sender: 'SECONDCO', note: null });
      const r3 = await requestSender(h.rt.ctx, null, a.id, { sender: 'THIRDCO', note: null });
      await admin('POST', `/admin/sender-requests/${r2.id}/reject`, { reason: 'no' });

      const pending = (await admin('GET', `/admin/sender-requests?account_id=${a.id}`)).json();
      expect(pending.data.map((r: { id: string }) => r.id)).toEqual([r1.id, r3.id]);
      const page1 = (await admin('GET', `/admin/sender-requests?account_id=${a.id}&status=all&limit=2`)).json();
      expect(page1.data.map((r: { id: string }) => r.id)).toEqual([r1.id, r2.id]);
      const page2 = (await admin('GET', `/admin/sender-requests?account_id=${a.id}&status=all&limit=2&cursor=${page1.next_cursor}`)).json();
      expect(page2.data.map((r: { id: string }) => r.id)).toEqual([r3.id]);
      expect(page2.next_cursor).toBeNull();
      const rejected = (await admin('GET', `/admin/sender-requests?account_id=${a.id}&status=rejected`)).json();
      expect(rejected.data).toEqual([expect.objectContaining({ id: r2.id, status: 'rejected', reason: 'no', sender: 'SECONDCO' })]);
      // Without an account filter the queue holds every account's requests.
      const all = (await admin('GET', '/admin/sender-requests?limit=100')).json();
      expect(all.data.map((r: { id: string }) => r.id)).toEqual(expect.arrayContaining([r1.id, r3.id]));
      expectError(await admin('GET', '/admin/sender-requests?status=maybe'), 422, 'validation_failed');
      expectError(await admin('GET', '/admin/sender-requests?cursor=acc_01aaaaaaaaaaaaaaaaaaaaaaaa'), 422, 'validation_failed');
    });

    it('answers 404 for a missing request, or an id of another kind', async () => {
      expectError(await admin('POST', `/admin/sender-requests/${MISSING_SDR}/approve`), 404, 'not_found');
      expectError(await admin('POST', `/admin/sender-requests/${MISSING_SDR}/reject`, { reason: 'x' }), 404, 'not_found');
      expectError(await admin('POST', `/admin/sender-requests/${acc.id}/approve`), 404, 'not_found');
    });

    it('requestSender: one pending request per sender, none for an approved one, audited as sender_request.create', async () => {
      const requester = await person(h, { accountId: acc.id, role: 'developer' });
      const actor = { userId: requester.userId, email: requester.email, operator: false, ip: '198.51.100.7' };
      const req = await requestSender(h.rt.ctx, actor, acc.id, { sender: ' Alerts@Shop.example ', note: '  receipts  ' });
      expect(req).toMatchObject({ kind: 'email_address', sender: 'alerts@shop.example', status: 'pending', note: 'receipts', requested_by: requester.userId });
      const entry = await lastAudit(h, 'sender_request.create', req.id);
      expect(entry).toMatchObject({ account_id: acc.id, actor: { type: 'user', id: requester.userId, operator: false }, ip: '198.51.100.7', after: { kind: 'email_address', sender: 'alerts@shop.example', note: 'receipts' } });

      await expect(requestSender(h.rt.ctx, actor, acc.id, { sender: 'alerts@shop.example', note: null })).rejects.toMatchObject({ code: 'conflict' });
      await expect(requestSender(h.rt.ctx, actor, acc.id, { sender: 'HELLIO', note: null })).rejects.toMatchObject({ code: 'conflict' });
      await expect(requestSender(h.rt.ctx, actor, acc.id, { sender: 'not a sender!', note: null })).rejects.toMatchObject({ code: 'validation_failed' });
      await expect(requestSender(h.rt.ctx, actor, acc.id, { sender: 'LONGNOTE', note: 'x'.repeat(501) })).rejects.toMatchObject({ code: 'validation_failed' });
      await expect(requestSender(h.rt.ctx, actor, MISSING_ACC, { sender: 'NEWCO', note: null })).rejects.toMatchObject({ code: 'not_found' });
      expect(await auditCount(h, 'sender_request.create', req.id)).toBe(1);
    });

    it('a direct approval also decides a pending request for the same sender', async () => {
      const req = await requestSender(h.rt.ctx, null, acc.id, { sender: 'BOTHCO', note: null });
      await admin('POST', `/admin/accounts/${acc.id}/senders`, { sender: 'BOTHCO' });
      expect(await h.rt.store.senderRequests.get(req.id)).toMatchObject({ status: 'approved', decided_by: op.userId });
      expect((await lastAudit(h, 'sender.approve', 'BOTHCO')).after).toEqual({ kind: 'sms', sender: 'BOTHCO', request: req.id });
    });
  });
});
