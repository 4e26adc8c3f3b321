import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { expectError } from '../support/http-assert.ts';
import { person } from '../support/people.ts';
import { listAudit } from '../../src/modules/people/audit.ts';
import { WebhookReceiver } from '../support/webhook-receiver.ts';

/**
 * Replaying every failed delivery since a time, and the deliveries of one message's events: the
 * two webhook reads and writes the dashboard's pages needed beside the endpoint API.
 */
describe.each(BACKENDS)('webhook replays and a message’s deliveries on %s', (backend) => {
  let h: Harness;
  let receiver: WebhookReceiver;
  let a: TestAccount;
  let b: TestAccount;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    h = await createHarness(backend, { env: { HELLIO_WEBHOOKS_ALLOW_PRIVATE: 'true', HELLIO_RATE_LIMIT_PER_MINUTE: '100000' } });
    a = await h.account();
    b = await h.account();
  });
  afterAll(async () => {
    await h?.close();
    await receiver?.close();
  });

  const call = (key: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });
  const endpoint = async (acc: TestAccount, path: string, events: string[] = ['*']) => {
    const res = await call(acc.key, 'POST', '/webhooks', { url: receiver.url(path), events });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { id: string };
  };
  const deliveries = async (acc: TestAccount, id: string) =>
    (await call(acc.key, 'GET', `/webhooks/${id}/deliveries?limit=100`)).json().data as Array<{ id: string; status: string; created_at: string; attempts: Array<{ status_code: number }> }>;

  it('sends again every failed delivery created since the time given, and only those; answers how many', async () => {
    const e = await endpoint(a, '/bulk');
    receiver.plan('/bulk', { status: 500 }, { status: 500 }, { status: 500 });
    const failed = [];
    for (let i = 0; i < 3; i++) failed.push((await call(a.key, 'POST', `/webhooks/${e.id}/test`)).json() as { id: string; status: string; created_at: string });
    expect(failed.map((d) => d.status)).toEqual(['failed', 'failed', 'failed']);
    const succeeded = (await call(a.key, 'POST', `/webhooks/${e.id}/test`)).json();
    expect(succeeded.status).toBe('succeeded');

    // From the second failure on: two of the three.
    const res = await call(a.key, 'POST', `/webhooks/${e.id}/deliveries/retry-failed`, { since: failed[1]!.created_at });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ replayed: 2 });
    const now = await deliveries(a, e.id);
    const status = (id: string) => now.find((d) => d.id === id)!.status;
    expect([status(failed[0]!.id), status(failed[1]!.id), status(failed[2]!.id), status(succeeded.id)]).toEqual(['failed', 'pending', 'pending', 'succeeded']);

    // Pending ones are not taken again; the earlier failure is, with an earlier `since`.
    expect((await call(a.key, 'POST', `/webhooks/${e.id}/deliveries/retry-failed`, { since: '2000-01-01T00:00:00+02:00' })).json()).toEqual({ replayed: 1 });
    await h.rt.createWorker({ pollMs: 10 }).drain();
    const after = await deliveries(a, e.id);
    for (const d of failed) {
      const got = after.find((x) => x.id === d.id)!;
      expect(got.status).toBe('succeeded');
      expect(got.attempts.map((x) => x.status_code)).toEqual([500, 200]);
    }
    // Nothing failed is left: a new call replays nothing.
    expect((await call(a.key, 'POST', `/webhooks/${e.id}/deliveries/retry-failed`, { since: '2000-01-01T00:00:00Z' })).json()).toEqual({ replayed: 0 });
  });

  it('refuses a `since` that is not an RFC 3339 timestamp with an offset, or missing (422)', async () => {
    const e = await endpoint(a, '/bad-since');
    for (const since of ['yesterday', '2026-12-01', '2026-12-01T09:00:00', '2026-02-30T00:00:00Z']) {
      const body = expectError(await call(a.key, 'POST', `/webhooks/${e.id}/deliveries/retry-failed`, { since }), 422, 'validation_failed');
      expect(body.errors, since).toEqual([{ field: 'since', message: expect.stringContaining('RFC 3339') }]);
    }
    expectError(await call(a.key, 'POST', `/webhooks/${e.id}/deliveries/retry-failed`, {}), 422, 'validation_failed');
  });

  it('answers 409 on a disabled endpoint, 404 for another account’s endpoint (exactly like a missing one), 403 without the webhooks scope', async () => {
    const e = await endpoint(a, '/off');
    receiver.plan('/off', { status: 500 });
    await call(a.key, 'POST', `/webhooks/${e.id}/test`);
    await call(a.key, 'PATCH', `/webhooks/${e.id}`, { enabled: false });
    const off = expectError(await call(a.key, 'POST', `/webhooks/${e.id}/deliveries/retry-failed`, { since: '2000-01-01T00:00:00Z' }), 409, 'conflict');
    expect(off.message).toContain('disabled');

    const theirs = await endpoint(b, '/theirs');
    receiver.plan('/theirs', { status: 500 });
    const theirFailure = (await call(b.key, 'POST', `/webhooks/${theirs.id}/test`)).json();
    for (const id of [theirs.id, 'wh_00000000000000000000000000']) {
      const body = expectError(await call(a.key, 'POST', `/webhooks/${id}/deliveries/retry-failed`, { since: '2000-01-01T00:00:00Z' }), 404, 'not_found');
      expect(body.message).toBe('Webhook endpoint not found');
    }
    expect((await deliveries(b, theirs.id)).find((d) => d.id === theirFailure.id)!.status).toBe('failed');

    const k = await h.key(a.id, { scopes: 'sms:send,reports' });
    const scoped = expectError(await call(k.key, 'POST', `/webhooks/${e.id}/deliveries/retry-failed`, { since: '2000-01-01T00:00:00Z' }), 403, 'insufficient_scope');
    expect(scoped.message).toContain('"webhooks"');
  });

  it('members: a developer replays through /accounts/{id}/… and the audit log has it; a viewer is refused (403 forbidden)', async () => {
    const acc = await h.account();
    const e = await endpoint(acc, '/members');
    receiver.plan('/members', { status: 500 });
    await call(acc.key, 'POST', `/webhooks/${e.id}/test`);
    const url = `/accounts/${acc.id}/webhooks/${e.id}/deliveries/retry-failed`;
    const payload = { since: '2000-01-01T00:00:00Z' };
    const viewer = await person(h, { accountId: acc.id, role: 'viewer' });
    expectError(await h.app.inject({ method: 'POST', url, headers: viewer.headers(), payload }), 403, 'forbidden');
    expect((await deliveries(acc, e.id))[0]!.status).toBe('failed');

    const dev = await person(h, { accountId: acc.id, role: 'developer' });
    const res = await h.app.inject({ method: 'POST', url, headers: dev.headers(), payload });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ replayed: 1 });
    const [row] = (await listAudit(h.rt.store, acc.id, { action: 'webhook.retry_failed' })).data;
    expect(row).toMatchObject({ target: e.id, actor: { id: dev.userId }, after: { since: '2000-01-01T00:00:00.000Z', replayed: 1 } });

    // Another account's member reaches neither the endpoint nor the message deliveries.
    const stranger = await person(h, { accountId: b.id, role: 'owner' });
    expectError(await h.app.inject({ method: 'POST', url, headers: stranger.headers(), payload }), 404, 'not_found');
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.paths['/webhooks/{id}/deliveries/retry-failed']?.post).toBeDefined();
    expect(doc.paths['/messages/{id}/webhook-deliveries']?.get).toBeDefined();
  });

  it('lists the deliveries of one message’s events, to every endpoint, with their attempts', async () => {
    const acc = await h.account();
    const one = await endpoint(acc, '/msg-one', ['message.queued', 'message.sent']);
    const two = await endpoint(acc, '/msg-two', ['*']);
    await endpoint(acc, '/msg-none', ['balance.low']);
    const sent = await call(acc.key, 'POST', '/sms/send', { from: 'HELLIO', to: '+447911123456', message: 'hello' });
    expect(sent.statusCode, sent.body).toBe(200);
    const other = (await call(acc.key, 'POST', '/sms/send', { from: 'HELLIO', to: '+447911123457', message: 'another' })).json().messages[0].id;
    const id = sent.json().messages[0].id as string;

    const res = await call(acc.key, 'GET', `/messages/${id}/webhook-deliveries`);
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json();
    // Accepted: message.queued, to the two endpoints that take it; none of the other message's.
    expect(page.next_cursor).toBeNull();
    expect(page.data.map((d: { endpoint_id: string; event_type: string; endpoint_url: string }) => [d.endpoint_id, d.event_type, d.endpoint_url]).sort()).toEqual(
      [
        [one.id, 'message.queued', receiver.url('/msg-one')],
        [two.id, 'message.queued', receiver.url('/msg-two')],
      ].sort(),
    );
    expect(res.body).not.toContain(other);

    await h.rt.createWorker({ pollMs: 10 }).drain();
    const later = (await call(acc.key, 'GET', `/messages/${id}/webhook-deliveries?limit=100`)).json().data as Array<{ event_type: string; status: string; attempts: Array<{ status_code: number }> }>;
    const queued = later.filter((d) => d.event_type === 'message.queued');
    expect(queued.map((d) => d.status)).toEqual(['succeeded', 'succeeded']);
    expect(queued[0]!.attempts.map((x) => x.status_code)).toEqual([200]);
    // Each delivery is about this message: the receiver got the message's own id.
    const got = receiver.at('/msg-one').map((r) => r.json.data.id);
    expect(got).toContain(id);

    // The sent step names the provider and the id its answer gave.
    const detail = (await call(acc.key, 'GET', `/messages/${id}`)).json();
    expect(['sent', 'delivered']).toContain(detail.status);
    expect(detail.events.find((ev: { status: string }) => ev.status === 'sent').detail).toMatch(/^accepted by simulator \(id sim-[0-9a-f]+\)$/);
  });

  it('pages a message’s deliveries, and answers 404 for another account’s message and 403 without the webhooks scope', async () => {
    const acc = await h.account();
    for (let i = 0; i < 3; i++) await endpoint(acc, `/page${i}`, ['message.queued']);
    const id = (await call(acc.key, 'POST', '/sms/send', { from: 'HELLIO', to: '+447911123456', message: 'paged' })).json().messages[0].id as string;
    const first = (await call(acc.key, 'GET', `/messages/${id}/webhook-deliveries?limit=2`)).json();
    expect(first.data).toHaveLength(2);
    const second = (await call(acc.key, 'GET', `/messages/${id}/webhook-deliveries?limit=2&cursor=${first.next_cursor}`)).json();
    expect(second).toMatchObject({ next_cursor: null });
    expect(new Set([...first.data, ...second.data].map((d: { id: string }) => d.id)).size).toBe(3);

    for (const key of [b.key]) {
      const body = expectError(await call(key, 'GET', `/messages/${id}/webhook-deliveries`), 404, 'not_found');
      expect(body.message).toBe('Message not found');
    }
    expectError(await call(acc.key, 'GET', '/messages/msg_00000000000000000000000000/webhook-deliveries'), 404, 'not_found');
    const k = await h.key(acc.id, { scopes: 'reports' });
    expectError(await call(k.key, 'GET', `/messages/${id}/webhook-deliveries`), 403, 'insufficient_scope');
  });
});
