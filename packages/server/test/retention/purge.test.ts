import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MovableClock } from '../../src/lib/clock.ts';
import { newId } from '../../src/lib/ids.ts';
import { cutoffs, purge } from '../../src/modules/retention/purge.ts';
import { RETENTION_DEFAULTS, type RetentionSettings } from '../../src/modules/retention/settings.ts';
import type { Worker } from '../../src/queue/worker.ts';
import { type Db, openDb } from '../../src/store/db.ts';
import { PURGEABLE, type PurgeTable } from '../../src/store/repos/retention.ts';
import { keepEvents } from '../support/events.ts';
import { until } from '../support/wait.ts';
import { FINAL_STATUSES } from '../../src/modules/messages/views.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe('retention periods', () => {
  it('default to the documented periods, and 0 keeps a table forever', () => {
    const now = 1_000 * DAY;
    const c = cutoffs(RETENTION_DEFAULTS, now);
    expect(c).toEqual({
      idempotency_keys: now,
      jobs: now - 7 * DAY,
      events: now - 30 * DAY,
      webhook_deliveries: now - 30 * DAY,
      webhook_attempts: now - 30 * DAY,
      sessions: now - 30 * DAY,
      user_tokens: now - 30 * DAY,
      otp_verifications: now - 30 * DAY,
      sandbox_inbox: now - 7 * DAY,
      lookups: now - 90 * DAY,
      email_verifications: now - 90 * DAY,
      call_audio: now - 30 * DAY,
      inbound_parts: now - DAY,
    });
    expect(Object.keys(c).sort()).toEqual(Object.keys(PURGEABLE).sort());
    expect(cutoffs({ ...RETENTION_DEFAULTS, jobsMs: 0 }, now).jobs).toBeNull();
    expect(RETENTION_DEFAULTS.bodiesDays).toBe(30);
  });
});

describe.each(BACKENDS)('retention purge on %s', (backend) => {
  const clock = new MovableClock();
  let h: Harness;
  let db: Db;
  let a: TestAccount;
  let worker: Worker;

  beforeAll(async () => {
    h = await createHarness(backend, { clock, env: { HELLIO_RATE_LIMIT_PER_MINUTE: '100000' } });
    db = openDb(h.config);
    a = await h.account();
    worker = h.rt.createWorker({ pollMs: 20 });
  });
  afterAll(async () => {
    await worker?.stop();
    await db?.db.destroy();
    await h?.close();
  });

  /** A row of `table` whose time column (PURGEABLE) reads `t`. */
  function row(table: PurgeTable, id: string, t: number): Record<string, unknown> {
    const acc = a.id;
    const r = () => randomBytes(8).toString('hex');
    switch (table) {
      case 'idempotency_keys':
        return { account_id: acc, idem_key: id, request_hash: 'h', status: 'completed', response_status: 200, response_body: '{}', created_at: t - DAY, expires_at: t };
      case 'jobs':
        return { id, kind: 'deliver.sms', payload: '{}', status: 'done', run_at: t, attempts: 1, max_attempts: 1, locked_until: null, locked_by: null, last_error: null, created_at: t, updated_at: t, group_key: null };
      case 'events':
        return { id, account_id: acc, type: 'message.sent', payload: '{}', created_at: t };
      case 'webhook_deliveries':
        return { id, account_id: acc, endpoint_id: 'wh_x', event_id: 'ev_x', status: 'succeeded', attempts: 1, last_status_code: 200, last_error: null, next_attempt_at: null, created_at: t, updated_at: t, subject_id: null };
      case 'webhook_attempts':
        return { id, delivery_id: 'whd_x', endpoint_id: 'wh_x', attempt: 1, status_code: 200, error: null, duration_ms: 1, response_excerpt: null, next_retry_at: null, created_at: t };
      case 'sessions':
        return { id, token_hash: r(), user_id: 'usr_x', ip: '192.0.2.1', user_agent: null, created_at: t - DAY, last_seen_at: t - DAY, expires_at: t, revoked_at: null };
      case 'user_tokens':
        return { id, token_hash: r(), kind: 'password_reset', user_id: null, account_id: null, email: null, role: null, created_by: null, created_at: t - HOUR, expires_at: t, used_at: null };
      case 'otp_verifications':
        return {
          id, account_id: acc, key_id: a.keyId, channel: 'sms', recipient: `+1202555${r().slice(0, 4)}`, prefix: null, status: 'expired', code_hash: 'x', code_length: 6,
          attempts: 0, sends: 1, message_id: 'msg_x', sandbox: 0, expires_at: t, last_sent_at: t - HOUR, approved_at: null, created_at: t - HOUR, updated_at: t,
        };
      case 'sandbox_inbox':
        return { id, account_id: acc, message_id: 'msg_x', channel: 'sms', sender: 'HELLIO', recipient: '+14155552671', subject: null, body: 'hi', created_at: t };
      case 'lookups':
        return {
          id, account_id: acc, key_id: a.keyId, input: '+14155552671', input_country: null, number: '+14155552671', valid: 1, possible: 1, country: 'US', type: 'mobile',
          validation_error: null, carrier: null, region: null, national_format: '', international_format: '', price_micros: 0, sandbox: 0, created_at: t,
        };
      case 'email_verifications':
        return { id, account_id: acc, key_id: a.keyId, email: 'ann@example.org', result: 'deliverable', reason: 'accepted', checks: '{}', mx_hosts: '[]', suggestion: null, price_micros: 0, sandbox: 0, created_at: t };
      case 'call_audio':
        return { call_id: id, codec: 'pcmu', speech: '', repeat: 1, pause_ms: 0, frames_sent: 0, created_at: t };
      case 'inbound_parts':
        return { source: id, destination: '+447400123140', ref: 7, total: 2, seq: 1, text: 'half of it', provider: 'sms-simulator', created_at: t };
    }
  }

  const keyOf = (table: PurgeTable) => (table === 'idempotency_keys' ? 'idem_key' : table === 'call_audio' ? 'call_id' : table === 'inbound_parts' ? 'source' : 'id');

  async function idsOf(table: PurgeTable, ids: string[]): Promise<string[]> {
    const col = keyOf(table);
    const rows = (await (db.db as any).selectFrom(table).select(col).where(col, 'in', ids).execute()) as Array<Record<string, string>>;
    return rows.map((r) => r[col]!).sort();
  }

  it('deletes every kind of record older than its period in small batches and keeps the newer ones', async () => {
    const now = clock.now();
    const settings: RetentionSettings = { ...h.config.retention, batchSize: 2 };
    const seeded = new Map<PurgeTable, { old: string[]; young: string[] }>();
    for (const [table, cutoff] of Object.entries(cutoffs(settings, now)) as Array<[PurgeTable, number]>) {
      const old = Array.from({ length: 5 }, () => newId('old'));
      const young = Array.from({ length: 2 }, () => newId('new'));
      const rows = [...old.map((id) => row(table, id, cutoff - HOUR)), ...young.map((id) => row(table, id, cutoff + HOUR))];
      await (db.db as any).insertInto(table).values(rows).execute();
      seeded.set(table, { old, young });
    }
    // What is still in use stays whatever its age: a pending job, a delivery still being retried.
    const pendingJob = newId('job');
    const pendingDelivery = newId('whd');
    await (db.db as any).insertInto('jobs').values({ ...row('jobs', pendingJob, now - 30 * DAY), status: 'pending' }).execute();
    const retriedEvent = newId('ev');
    await (db.db as any).insertInto('events').values(row('events', retriedEvent, now - 60 * DAY)).execute();
    await (db.db as any).insertInto('webhook_deliveries').values({ ...row('webhook_deliveries', pendingDelivery, now - 60 * DAY), event_id: retriedEvent, status: 'pending' }).execute();

    const report = await purge(h.rt.ctx, settings);
    expect(report.more).toBe(false);
    for (const [table, { old, young }] of seeded) {
      expect(await idsOf(table, [...old, ...young]), table).toEqual([...young].sort());
      expect(report.deleted[table], table).toBeGreaterThanOrEqual(old.length);
    }
    expect(await idsOf('jobs', [pendingJob])).toHaveLength(1);
    expect(await idsOf('webhook_deliveries', [pendingDelivery])).toHaveLength(1);
    expect(await idsOf('events', [retriedEvent])).toHaveLength(1);
    // A second run finds nothing more to do.
    const again = await purge(h.rt.ctx, settings);
    expect(again.deleted).toEqual({});
  });

  it('stops at its time budget with work left (more), and the next run carries on', async () => {
    const t = clock.now() - 40 * DAY;
    await (db.db as any).insertInto('sandbox_inbox').values([row('sandbox_inbox', newId('inb'), t), row('sandbox_inbox', newId('inb'), t)]).execute();
    const stopped = await purge(h.rt.ctx, { ...h.config.retention, budgetMs: 0 });
    expect(stopped.more).toBe(true);
    const finished = await purge(h.rt.ctx, h.config.retention);
    expect(finished.more).toBe(false);
    expect(finished.deleted.sandbox_inbox).toBe(2);
  });

  const api = (key: string, method: 'GET' | 'POST', url: string, payload?: object) =>
    h.app.inject({ method, url, headers: bearer(key), ...(payload ? { payload } : {}) });

  async function sendBoth(acc: TestAccount): Promise<{ sms: string; email: string }> {
    const sms = await api(acc.key, 'POST', '/sms/send', { from: 'HELLIO', to: '+14155552671', message: 'secret text 42' });
    expect(sms.statusCode, sms.body).toBe(200);
    const email = await api(acc.key, 'POST', '/send', {
      from: 'Billing <billing@example.com>',
      to: ['ann@example.org'],
      cc: ['cc@example.org'],
      subject: 'Your invoice',
      html: '<p>Private</p>',
      text: 'Private',
      attachments: [{ filename: 'invoice.txt', content: Buffer.from('private').toString('base64'), content_type: 'text/plain' }],
      tags: [{ name: 'category', value: 'invoice' }],
    });
    expect(email.statusCode, email.body).toBe(200);
    return { sms: sms.json().messages[0].id as string, email: email.json().id as string };
  }

  const view = async (acc: TestAccount, id: string) => {
    const res = await api(acc.key, 'GET', `/messages/${id}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const stored = (id: string) => db.db.selectFrom('messages').select(['body', 'subject', 'payload', 'status', 'price_micros', 'recipient', 'segments']).where('id', '=', id).executeTakeFirstOrThrow();

  it("redacts message bodies after the account's period; the metadata, the timeline and GET /messages/:id stay", async () => {
    const byDefault = await h.account();
    const short = await h.account();
    const never = await h.account();
    await h.rt.store.retention.setBodyRetention(short.id, 2);
    await h.rt.store.retention.setBodyRetention(never.id, 0);
    const sent = { byDefault: await sendBoth(byDefault), short: await sendBoth(short), never: await sendBoth(never) };
    await worker.drain();
    // The simulator's receipts are jobs due a moment later (at most 1.5 s of the test's clock).
    clock.advance(5_000);
    await until('every message to reach a final status', async () => {
      await worker.drain();
      const statuses = await db.db.selectFrom('messages').select('status').where('account_id', 'in', [byDefault.id, short.id, never.id]).execute();
      return statuses.every((m) => FINAL_STATUSES.has(m.status));
    });
    const before = await view(byDefault, sent.byDefault.sms);
    const beforeEmail = await view(byDefault, sent.byDefault.email);
    expect(before.body).toBe('secret text 42');
    expect(before.events.length).toBeGreaterThan(0);

    clock.advance(3 * DAY);
    await purge(h.rt.ctx, h.config.retention);
    expect((await stored(sent.short.sms)).body).toBeNull();
    expect((await stored(sent.short.email)).payload).not.toContain('Private');
    expect((await stored(sent.byDefault.sms)).body).toBe('secret text 42');
    expect((await stored(sent.never.sms)).body).toBe('secret text 42');

    clock.advance(28 * DAY);
    await purge(h.rt.ctx, h.config.retention);
    const after = await view(byDefault, sent.byDefault.sms);
    expect(after).toEqual({ ...before, body: null });
    const afterEmail = await view(byDefault, sent.byDefault.email);
    expect(afterEmail).toEqual({ ...beforeEmail, subject: null });
    const email = await stored(sent.byDefault.email);
    expect(email.body).toBeNull();
    expect(email.subject).toBeNull();
    const payload = JSON.parse(email.payload!);
    expect(payload).toMatchObject({ to: ['ann@example.org'], cc: ['cc@example.org'], tags: [{ name: 'category', value: 'invoice' }], html: null, text: null, attachments: [] });
    expect(email.payload).not.toContain('Private');
    expect(email.payload).not.toContain('Your invoice');
    expect((await stored(sent.never.sms)).body).toBe('secret text 42');
    expect((await stored(sent.never.email)).payload).toContain('Private');
    // Another account's key still cannot read it.
    expect((await api(never.key, 'GET', `/messages/${sent.byDefault.sms}`)).statusCode).toBe(404);
  });

  it("times a scheduled message's (and campaign's) body from when it was due, not from its accept", async () => {
    const acc = await h.account();
    await h.rt.store.retention.setBodyRetention(acc.id, 2);
    const due = clock.now() + 5 * DAY;
    const res = await api(acc.key, 'POST', '/sms/send', { from: 'HELLIO', to: ['+14155552671', '+14155552672'], message: 'later text', scheduled_at: new Date(due).toISOString() });
    expect(res.statusCode, res.body).toBe(200);
    const { campaign_id, messages } = res.json();
    expect(campaign_id).toEqual(expect.any(String));
    const ids = (messages as Array<{ id: string }>).map((m) => m.id);
    const campaignBody = async () => (await db.db.selectFrom('campaigns').select('body').where('id', '=', campaign_id).executeTakeFirstOrThrow()).body;
    const deliverAll = async () => {
      await worker.drain();
      clock.advance(5_000);
      await until('the scheduled messages to be delivered', async () => {
        await worker.drain();
        return (await Promise.all(ids.map(stored))).every((m) => m.status === 'delivered');
      });
    };

    clock.advance(3 * DAY);
    await purge(h.rt.ctx, h.config.retention);
    expect((await stored(ids[0]!)).body).toBe('later text');
    expect(await campaignBody()).toBe('later text');

    clock.advance(2 * DAY + 1_000); // due: sent now, two days before the cutoff comes
    await deliverAll();
    clock.advance(DAY);
    await purge(h.rt.ctx, h.config.retention);
    for (const id of ids) expect((await stored(id)).body).toBe('later text');
    expect(await campaignBody()).toBe('later text');

    clock.advance(2 * DAY);
    await purge(h.rt.ctx, h.config.retention);
    for (const id of ids) expect((await stored(id)).body).toBeNull();
    expect(await campaignBody()).toBe('');
  });

  it('stores an event only when an endpoint subscribes to it; the timeline is written either way', async () => {
    const quiet = await h.account();
    const listened = await h.account();
    await keepEvents(h.rt, listened.id);
    const q = (await api(quiet.key, 'POST', '/sms/send', { from: 'HELLIO', to: '+14155552671', message: 'hi' })).json().messages[0];
    const l = (await api(listened.key, 'POST', '/sms/send', { from: 'HELLIO', to: '+14155552671', message: 'hi' })).json().messages[0];
    const count = async (accountId: string) =>
      Number((await db.db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).where('account_id', '=', accountId).executeTakeFirstOrThrow()).n);
    expect(await count(quiet.id)).toBe(0);
    expect(await count(listened.id)).toBeGreaterThan(0);
    expect((await view(quiet, q.id)).events.length).toBeGreaterThan(0);
    expect((await view(listened, l.id)).events.length).toBeGreaterThan(0);
  });
});
