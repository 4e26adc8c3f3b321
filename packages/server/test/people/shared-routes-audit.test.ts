import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/modules/people/audit.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { person, type Session } from '../support/people.ts';

/**
 * The routes keys and members share (webhooks, domains, cancel): a member's change is the
 * person's action and is audited, in the change's transaction; the same change made with an API
 * key is not a person's and writes no row.
 */
describe.each(BACKENDS)('audit of changes made through the shared routes (%s)', (backend) => {
  let h: Harness;
  let acc: TestAccount;
  let dev: Session;
  beforeAll(async () => {
    h = await createHarness(backend, { env: { HELLIO_WEBHOOKS_ALLOW_PRIVATE: 'true' } });
    acc = await h.account();
    dev = await person(h, { accountId: acc.id, role: 'developer' });
  });
  afterAll(async () => h?.close());

  const asMember = (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    h.app.inject({ method, url: `/accounts/${acc.id}${url}`, headers: dev.headers(), ...(payload ? { payload } : {}) });
  const rows = async (action: string) => (await listAudit(h.rt.store, acc.id, { action })).data;

  it('records a member creating, changing, rotating and deleting a webhook endpoint — never its secret', async () => {
    const created = await asMember('POST', '/webhooks', { url: 'http://127.0.0.1:9/a', events: ['message.delivered'] });
    expect(created.statusCode, created.body).toBe(200);
    const id = created.json().id as string;
    expect((await asMember('PATCH', `/webhooks/${id}`, { url: 'http://127.0.0.1:9/b' })).statusCode).toBe(200);
    const rotated = await asMember('POST', `/webhooks/${id}/rotate-secret`);
    expect(rotated.statusCode).toBe(200);
    expect((await asMember('DELETE', `/webhooks/${id}`)).statusCode).toBe(200);

    const [create] = await rows('webhook.create');
    expect(create).toMatchObject({ target: id, actor: { type: 'user', id: dev.userId }, after: { url: 'http://127.0.0.1:9/a', events: ['message.delivered'], enabled: true } });
    const [update] = await rows('webhook.update');
    expect(update).toMatchObject({ target: id, before: { url: 'http://127.0.0.1:9/a' }, after: { url: 'http://127.0.0.1:9/b' } });
    expect(await rows('webhook.rotate_secret')).toHaveLength(1);
    expect((await rows('webhook.delete'))[0]).toMatchObject({ target: id, before: { url: 'http://127.0.0.1:9/b' } });
    const all = JSON.stringify((await listAudit(h.rt.store, acc.id, {})).data);
    expect(all).not.toContain(created.json().secret);
    expect(all).not.toContain(rotated.json().secret);
  });

  it('records a member adding a domain and canceling a scheduled message', async () => {
    const dom = await asMember('POST', '/domains', { domain: 'audited.example.org' });
    expect(dom.statusCode, dom.body).toBe(200);
    expect((await rows('domain.add'))[0]).toMatchObject({ target: dom.json().id, after: { domain: 'audited.example.org' } });

    const later = new Date(Date.now() + 3_600_000).toISOString();
    const sent = await h.app.inject({ method: 'POST', url: '/sms/send', headers: bearer(acc.key), payload: { from: 'HELLIO', to: '+447911123456', message: 'later', scheduled_at: later } });
    const msg = sent.json().messages[0].id as string;
    expect((await asMember('POST', `/messages/${msg}/cancel`)).statusCode).toBe(200);
    expect((await rows('message.cancel'))[0]).toMatchObject({ target: msg, actor: { id: dev.userId }, after: { status: 'canceled' } });
  });

  it('writes no row for the same changes made with an API key', async () => {
    const before = (await listAudit(h.rt.store, acc.id, { limit: 100 })).data.length;
    const created = await h.app.inject({ method: 'POST', url: '/webhooks', headers: bearer(acc.key), payload: { url: 'http://127.0.0.1:9/k', events: ['*'] } });
    expect(created.statusCode).toBe(200);
    const id = created.json().id as string;
    await h.app.inject({ method: 'PATCH', url: `/webhooks/${id}`, headers: bearer(acc.key), payload: { description: 'by key' } });
    await h.app.inject({ method: 'DELETE', url: `/webhooks/${id}`, headers: bearer(acc.key) });
    expect((await listAudit(h.rt.store, acc.id, { limit: 100 })).data.length).toBe(before);
  });
});
