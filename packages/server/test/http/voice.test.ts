import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removePrice, setPrice } from '../../src/modules/admin/prices.ts';
import { placeCall } from '../../src/modules/voice/place.ts';
import { purge } from '../../src/modules/retention/purge.ts';
import { VOICE_MAGIC } from '../../src/providers/voice/voice-simulator.ts';
import type { Worker } from '../../src/queue/worker.ts';
import { moneyOf } from '../support/accept-peek.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { expectError } from '../support/http-assert.ts';
import { until } from '../support/wait.ts';
import { recogniseDigits } from '../support/speech.ts';
import { parseWav } from '../../src/lib/wav.ts';
import { keepEvents } from '../support/events.ts';

/**
 * POST /voice/send, GET /voice, GET /voice/{id}, cancel and audio (SPEC §3, docs/voice.md) on the
 * voice simulator, run 50× faster than real time. The SIP trunk itself meets real peers in
 * test/providers/voice/; here the product: hold, states, billing, refunds, events, errors.
 * The default US rate is 0.0140 a minute (migration 0017_voice).
 */
const US_RATE = 14_000;
// Calls are polled until they end: the per-key limit is not under test.
const ENV = { HELLIO_VOICE_SIMULATOR_SPEED: '50', HELLIO_RATE_LIMIT_PER_MINUTE: '1000000' };
const FINAL = ['completed', 'busy', 'no_answer', 'failed', 'canceled'];

let serial = 0;
/** A US number no other test calls. */
const freshNumber = () => `+1415555${String(2000 + serial++).padStart(4, '0')}`;

describe.each(BACKENDS)('voice on %s', (backend) => {
  let h: Harness;
  let a: TestAccount;
  let worker: Worker;

  beforeAll(async () => {
    h = await createHarness(backend, { env: ENV });
    a = await h.account();
    await keepEvents(h.rt, a.id);
    worker = h.rt.createWorker({ pollMs: 20 });
    worker.start();
  });
  afterAll(async () => {
    await worker?.stop();
    await h?.close();
  });

  const send = (key: string, body: object, headers: Record<string, string> = {}) =>
    h.app.inject({ method: 'POST', url: '/voice/send', headers: { ...bearer(key), ...headers }, payload: body });
  const get = async (key: string, url: string) => h.app.inject({ method: 'GET', url, headers: bearer(key) });
  const ended = (key: string, id: string) =>
    until(`call ${id} to end`, async () => {
      const c = (await get(key, `/voice/${id}`)).json();
      return FINAL.includes(c.status) ? c : undefined;
    }, { everyMs: 50 });
  const eventsOf = async (accountId: string, type: string) =>
    (await h.rt.store.events.list(accountId, { type, limit: 100 })).map((e) => JSON.parse(e.payload).data as { id: string; status: string });

  it('places a call: held on accept, rung, answered, spoken, hung up; billed per started minute and the rest refunded', async () => {
    const before = (await moneyOf(h, a.id)).balance;
    const res = await send(a.key, { to: freshNumber(), text: 'Your code is 3 9 0 1', repeat: 2, time_limit: 180 });
    expect(res.statusCode).toBe(200);
    const accepted = res.json();
    expect(accepted).toMatchObject({ id: expect.stringMatching(/^call_/), status: 'queued', price: '0.0420', price_per_minute: '0.0140', repeat: 2, time_limit: 180, sandbox: false });
    // The hold: 3 minutes of the time limit, taken with the accept.
    expect((await moneyOf(h, a.id)).balance).toBe(before - 3 * US_RATE);

    const call = await ended(a.key, accepted.id);
    expect(call).toMatchObject({ status: 'completed', sip_code: 200, hangup_by: 'caller', codec: 'PCMU' });
    expect(call.events.map((e: { status: string }) => e.status)).toEqual(['queued', 'ringing', 'in_progress', 'completed']);
    for (const at of ['ringing_at', 'answered_at', 'ended_at']) expect(call[at]).toEqual(expect.any(String));
    expect(call.duration_seconds).toBeGreaterThanOrEqual(1);
    const minutes = Math.ceil(call.duration_seconds / 60);
    expect(call.price).toBe((minutes * 0.014).toFixed(4));

    const money = await moneyOf(h, a.id);
    expect(money.balance).toBe(before - minutes * US_RATE);
    expect(money.ledgerSum).toBe(money.balance);
    const mine = money.ledger.filter((l) => l.reference === accepted.id).map((l) => [l.kind, l.amount_micros]);
    expect(mine).toEqual(expect.arrayContaining([['debit', -3 * US_RATE], ['refund', (3 - minutes) * US_RATE]]));
    expect(await eventsOf(a.id, 'voice.completed')).toContainEqual(expect.objectContaining({ id: accepted.id, status: 'completed' }));

    // The audio: exactly the frames sent, two passes and the pause between.
    const audio = await get(a.key, `/voice/${accepted.id}/audio`);
    expect(audio.statusCode).toBe(200);
    expect(audio.headers['content-type']).toBe('audio/wav');
    const wav = audio.rawPayload;
    expect(wav.subarray(0, 4).toString()).toBe('RIFF');
    expect(wav.readUInt32LE(24)).toBe(8000);
    const samples = (wav.length - 44) / 2;
    expect(samples % 160).toBe(0);
    expect(samples).toBeGreaterThan(0);
  });

  it.each([
    ['busy', VOICE_MAGIC.busy, { status: 'busy', sip_code: 486, hangup_by: 'callee' }],
    ['no answer (rings until ring_timeout)', VOICE_MAGIC.noAnswer, { status: 'no_answer', sip_code: 487, hangup_by: 'system' }],
    ['failed (404)', VOICE_MAGIC.failed, { status: 'failed', sip_code: 404, hangup_by: 'system' }],
  ])('%s: never answered, costs nothing — the hold comes back with a refund row and voice.failed', async (_label, to, expected) => {
    const before = (await moneyOf(h, a.id)).balance;
    const { id } = (await send(a.key, { to, text: 'Hello', ring_timeout: 5 })).json();
    const call = await ended(a.key, id);
    expect(call).toMatchObject({ ...expected, price: '0.0000', duration_seconds: 0, answered_at: null });
    const money = await moneyOf(h, a.id);
    expect(money.balance).toBe(before);
    expect(money.ledger.filter((l) => l.reference === id).map((l) => l.kind).sort()).toEqual(['debit', 'refund']);
    expect(await eventsOf(a.id, 'voice.failed')).toContainEqual(expect.objectContaining({ id, status: expected.status }));
    expectError(await get(a.key, `/voice/${id}/audio`), 404, 'not_found');
  });

  it('the callee hanging up mid-message ends the call completed, hangup_by callee, billed', async () => {
    const { id } = (await send(a.key, { to: VOICE_MAGIC.hangsUp, text: 'A long message that the callee will not wait for.', repeat: 3 })).json();
    const call = await ended(a.key, id);
    expect(call).toMatchObject({ status: 'completed', hangup_by: 'callee', price: '0.0140', duration_seconds: 2 });
  });

  it('cancels a queued call (refunded) and a ringing one (CANCEL → canceled); an ended call is a 409', async () => {
    await worker.stop();
    const before = (await moneyOf(h, a.id)).balance;
    const { id: queued } = (await send(a.key, { to: freshNumber(), text: 'never' })).json();
    const canceled = await h.app.inject({ method: 'POST', url: `/voice/${queued}/cancel`, headers: bearer(a.key) });
    expect(canceled.statusCode).toBe(200);
    expect(canceled.json()).toMatchObject({ status: 'canceled', hangup_by: 'system', price: '0.0000' });
    expect((await moneyOf(h, a.id)).balance).toBe(before);
    worker = h.rt.createWorker({ pollMs: 20 });
    worker.start();

    const { id: ringing } = (await send(a.key, { to: VOICE_MAGIC.noAnswer, text: 'ring', ring_timeout: 120 })).json();
    await until('the call to ring', async () => (await get(a.key, `/voice/${ringing}`)).json().status === 'ringing');
    const res = await h.app.inject({ method: 'POST', url: `/voice/${ringing}/cancel`, headers: bearer(a.key) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'canceled', sip_code: 487, hangup_by: 'system', price: '0.0000' });

    const again = expectError(await h.app.inject({ method: 'POST', url: `/voice/${ringing}/cancel`, headers: bearer(a.key) }), 409, 'conflict');
    expect(again.message).toMatch(/already ended \(canceled\)/);
  });

  it('answers every invalid field at once, before anything is held', async () => {
    const before = (await moneyOf(h, a.id)).balance;
    const err = expectError(await send(a.key, { to: '12345', text: '   ', repeat: 4, ring_timeout: 4, time_limit: 5 }), 422, 'validation_failed');
    expect(err.errors!.map((e) => e.field).sort()).toEqual(expect.arrayContaining(['repeat', 'ring_timeout', 'time_limit']));
    const second = expectError(await send(a.key, { to: '12345', text: '   ' }), 422, 'validation_failed');
    expect(second.errors!.map((e) => e.field).sort()).toEqual(['text', 'to']);
    expectError(await send(a.key, { to: freshNumber() }), 422, 'validation_failed');
    expectError(await send(a.key, { to: freshNumber(), text: 'x', colour: 'blue' }), 422, 'validation_failed');
    expectError(await send(a.key, { to: freshNumber(), text: 'x', from: '+14155550000' }), 422, 'sender_not_approved');
    expect((await moneyOf(h, a.id)).balance).toBe(before);
  });

  it('refuses a destination without a voice price (422), and a hold the wallet cannot cover (402)', async () => {
    await removePrice(h.rt.ctx, null, { channel: 'voice', prefix: '' });
    const unpriced = expectError(await send(a.key, { to: '+8613800138000', text: 'x' }), 422, 'validation_failed');
    expect(unpriced.errors![0]).toMatchObject({ field: 'to', message: expect.stringMatching(/no voice price is set for \+86/) });
    await setPrice(h.rt.ctx, null, { channel: 'voice', prefix: '', price: 60_000 });
    expect((await send(a.key, { to: '+8613800138000', text: 'x' })).statusCode).toBe(200);
    const poor = await h.account({ balance: '0.02' });
    expectError(await send(poor.key, { to: freshNumber(), text: 'x', time_limit: 120 }), 402, 'insufficient_balance');
    expect((await send(poor.key, { to: freshNumber(), text: 'x', time_limit: 60 })).statusCode).toBe(200);
  });

  it('replays an Idempotency-Key: one call, one hold', async () => {
    const body = { to: freshNumber(), text: 'once' };
    const first = await send(a.key, body, { 'idempotency-key': `voice-${backend}` });
    const second = await send(a.key, body, { 'idempotency-key': `voice-${backend}` });
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(second.json().id).toBe(first.json().id);
    await ended(a.key, first.json().id);
    const rows = (await moneyOf(h, a.id)).ledger.filter((l) => l.reference === first.json().id);
    expect(rows.filter((l) => l.kind === 'debit')).toHaveLength(1);
    expect(rows.reduce((sum, l) => sum + l.amount_micros, 0)).toBe(-US_RATE);
  });

  it('a sandbox key calls the simulator and pays nothing', async () => {
    const t = await h.account({ test: true });
    const before = (await moneyOf(h, t.id)).balance;
    const { id } = (await send(t.key, { to: freshNumber(), text: 'test' })).json();
    const call = await ended(t.key, id);
    expect(call).toMatchObject({ status: 'completed', sandbox: true });
    expect((await moneyOf(h, t.id)).balance).toBe(before);
  });

  it('lists calls newest first with filters and a cursor', async () => {
    const b = await h.account();
    const to = freshNumber();
    const ids = [];
    for (const text of ['one', 'two', 'three']) ids.push((await send(b.key, { to, text })).json().id);
    const busy = (await send(b.key, { to: VOICE_MAGIC.busy, text: 'x' })).json().id;
    await ended(b.key, busy);
    for (const id of ids) await ended(b.key, id);
    const all = (await get(b.key, '/voice?limit=2')).json();
    expect(all.data.map((c: { id: string }) => c.id)).toEqual([busy, ids[2]]);
    const next = (await get(b.key, `/voice?limit=2&cursor=${all.next_cursor}`)).json();
    expect(next.data.map((c: { id: string }) => c.id)).toEqual([ids[1], ids[0]]);
    expect((await get(b.key, '/voice?status=busy')).json().data.map((c: { id: string }) => c.id)).toEqual([busy]);
    expect((await get(b.key, `/voice?to=${encodeURIComponent(to)}`)).json().data).toHaveLength(3);
    expectError(await get(b.key, '/voice?status=ringingg'), 422, 'validation_failed');
    expectError(await get(b.key, '/voice?cursor=msg_x'), 422, 'validation_failed');
  });

  it("keeps accounts apart and asks for the voice scope", async () => {
    const b = await h.account();
    const { id } = (await send(a.key, { to: freshNumber(), text: 'mine' })).json();
    expectError(await get(b.key, `/voice/${id}`), 404, 'not_found');
    expectError(await get(b.key, `/voice/${id}/audio`), 404, 'not_found');
    expectError(await h.app.inject({ method: 'POST', url: `/voice/${id}/cancel`, headers: bearer(b.key) }), 404, 'not_found');
    expect((await get(b.key, '/voice')).json().data).toEqual([]);
    const smsOnly = await h.key(a.id, { scopes: 'sms:send reports' });
    const err = expectError(await send(smsOnly.key, { to: freshNumber(), text: 'x' }), 403, 'insufficient_scope');
    expect(err.message).toMatch(/voice/);
    expectError(await get(smsOnly.key, `/voice/${id}`), 403, 'insufficient_scope');
    expectError(await get(smsOnly.key, '/voice/voices'), 403, 'insufficient_scope');
  });

  it('tries the call again when no trunk took it, then fails it and gives the hold back', async () => {
    await worker.stop();
    const before = (await moneyOf(h, a.id)).balance;
    const { id } = (await send(a.key, { to: VOICE_MAGIC.unreachable, text: 'x' })).json();
    const deps = { store: h.rt.store, clock: h.rt.clock, channels: h.rt.channels, speech: h.rt.ctx.speech, otpKeys: h.rt.ctx.otp.keys, currency: 'USD' };
    await expect(placeCall(deps, id, { attempt: 1, maxAttempts: 3 })).rejects.toThrow(/no trunk took the call/);
    expect((await get(a.key, `/voice/${id}`)).json()).toMatchObject({ status: 'queued', events: [{ status: 'queued' }, { status: 'retrying', detail: expect.stringMatching(/503/) }] });
    await placeCall(deps, id, { attempt: 3, maxAttempts: 3 });
    expect((await get(a.key, `/voice/${id}`)).json()).toMatchObject({ status: 'failed', sip_code: 503, price: '0.0000' });
    expect((await moneyOf(h, a.id)).balance).toBe(before);
    worker = h.rt.createWorker({ pollMs: 20 });
    worker.start();
  });

  it('a call whose worker died is ended, not dialled again: billed up to the last heartbeat when it was answered', async () => {
    await worker.stop();
    const deps = { store: h.rt.store, clock: h.rt.clock, channels: h.rt.channels, speech: h.rt.ctx.speech, otpKeys: h.rt.ctx.otp.keys, currency: 'USD' };
    const before = (await moneyOf(h, a.id)).balance;
    const { id: answered } = (await send(a.key, { to: freshNumber(), text: 'x' })).json();
    const { id: ringing } = (await send(a.key, { to: freshNumber(), text: 'x' })).json();
    const t = h.rt.clock.now();
    // What a worker that died mid-call leaves: the steps it wrote, and its last heartbeat.
    await h.rt.store.calls.move(answered, ['queued'], { status: 'in_progress', answered_at: t - 95_000, alive_at: t - 5_000 });
    await h.rt.store.calls.move(ringing, ['queued'], { status: 'ringing', ringing_at: t - 5_000 });
    await placeCall(deps, answered, { attempt: 2, maxAttempts: 3 });
    await placeCall(deps, ringing, { attempt: 2, maxAttempts: 3 });
    expect((await get(a.key, `/voice/${answered}`)).json()).toMatchObject({ status: 'failed', hangup_by: 'system', duration_seconds: 90, price: '0.0280', error: expect.stringMatching(/heartbeat/) });
    expect((await get(a.key, `/voice/${ringing}`)).json()).toMatchObject({ status: 'failed', duration_seconds: 0, price: '0.0000' });
    expect((await moneyOf(h, a.id)).balance).toBe(before - 2 * US_RATE);
    worker = h.rt.createWorker({ pollMs: 20 });
    worker.start();
  });

  it('OTP by voice: a call speaks the code (twice), its text and audio keep the code secret, and the code verifies', async () => {
    const to = freshNumber();
    const sent = await h.app.inject({ method: 'POST', url: '/otp/send', headers: bearer(a.key), payload: { to, channel: 'voice' } });
    expect(sent.statusCode).toBe(200);
    const otp = sent.json();
    expect(otp).toMatchObject({ id: expect.stringMatching(/^otp_/), status: 'pending', channel: 'voice', price: '0.0140' });
    const [call] = (await get(a.key, `/voice?to=${encodeURIComponent(to)}`)).json().data;
    expect(call).toMatchObject({ otp_id: otp.id, repeat: 2, text: 'Your verification code is ******.' });
    const done = await ended(a.key, call.id);
    expect(done.status).toBe('completed');
    expectError(await get(a.key, `/voice/${call.id}/audio`), 404, 'not_found');
    const row = (await h.rt.store.calls.byId(call.id))!;
    const spoken = h.rt.ctx.otp.keys.open(row.sealed_text!, call.id);
    const code = spoken.replace(/\D/g, '');
    expect(code).toHaveLength(6);
    const verify = await h.app.inject({ method: 'POST', url: '/otp/verify', headers: bearer(a.key), payload: { id: otp.id, code } });
    expect(verify.json()).toMatchObject({ status: 'approved' });
  });

  it("empties an ended call's text (and sealed code) after the account's body retention; a call not yet ended keeps it", async () => {
    const b = await h.account();
    await h.rt.store.retention.setBodyRetention(b.id, 1);
    const spoken = await send(b.key, { to: freshNumber(), text: 'Your parcel 4417 arrives today' });
    const done = await ended(b.key, spoken.json().id);
    expect(done.text).toBe('Your parcel 4417 arrives today');
    // Another call, still ringing (2 minutes, 2.4 s at this speed) when the retention passes.
    const later = await send(b.key, { to: VOICE_MAGIC.noAnswer, text: 'Reminder 5520', ring_timeout: 120 });
    expect(later.statusCode, later.body).toBe(200);
    await until('the second call to ring', async () => (await get(b.key, `/voice/${later.json().id}`)).json().status === 'ringing', { everyMs: 20 });

    const twoDaysOn = { ...h.rt.ctx, clock: { now: () => Date.now() + 2 * 86_400_000 } };
    const report = await purge(twoDaysOn, h.config.retention);
    expect(report.callsRedacted).toBe(1);
    const after = (await get(b.key, `/voice/${done.id}`)).json();
    expect(after).toEqual({ ...done, text: '' });
    expect((await h.rt.store.calls.byId(done.id))!.sealed_text).toBeNull();
    expect((await get(b.key, `/voice/${later.json().id}`)).json()).toMatchObject({ status: 'ringing', text: 'Reminder 5520' });
    expect((await ended(b.key, later.json().id)).status).toBe('no_answer');
    // Once it has ended, its turn comes; the other account's calls, under the default 30 days, keep their text.
    expect((await purge(twoDaysOn, h.config.retention)).callsRedacted).toBe(1);
    expect((await get(b.key, `/voice/${later.json().id}`)).json().text).toBe('');
    const others = (await get(a.key, '/voice')).json().data as Array<{ text: string }>;
    expect(others.length).toBeGreaterThan(0);
    for (const c of others) expect(c.text).not.toBe('');
  });

  it('lists the voices installed, and previews speech as WAV without a call or a charge', async () => {
    const voices = (await get(a.key, '/voice/voices')).json().data as Array<{ id: string; engine: string; languages: string[] }>;
    expect(voices.some((v) => v.engine === 'flite' && v.languages.includes('en'))).toBe(true);
    expect(voices.some((v) => v.engine === 'espeak-ng' && v.languages.includes('de'))).toBe(true);

    const before = (await moneyOf(h, a.id)).balance;
    const res = await h.app.inject({ method: 'POST', url: '/voice/preview', headers: bearer(a.key), payload: { text: 'Your code is 3901.' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('audio/wav');
    const wav = parseWav(res.rawPayload);
    expect(wav.sampleRate).toBe(8000);
    expect(await recogniseDigits(wav.samples, { leadIn: 'your code is' })).toBe('3901');
    const german = parseWav((await h.app.inject({ method: 'POST', url: '/voice/preview', headers: bearer(a.key), payload: { text: 'Guten Tag', language: 'de' } })).rawPayload);
    expect(german.samples.length).toBeGreaterThan(4000);
    expect((await moneyOf(h, a.id)).balance).toBe(before);

    const badVoice = expectError(await h.app.inject({ method: 'POST', url: '/voice/preview', headers: bearer(a.key), payload: { text: 'x', voice: 'nobody' } }), 422, 'validation_failed');
    expect(badVoice.errors![0]!.field).toBe('voice');
    const badLanguage = expectError(await send(a.key, { to: freshNumber(), text: 'x', language: 'xx-QQ' }), 422, 'validation_failed');
    expect(badLanguage.errors![0]!.field).toBe('language');
  });

  it('refuses a second preview of the same account with 429, and a preview stuck 5 s behind others with 503 overloaded', async () => {
    // The last test of the file: the long texts are left to the engine, which the harness closes.
    const preview = (key: string, text: string) => h.app.inject({ method: 'POST', url: '/voice/preview', headers: bearer(key), payload: { text } });
    const [b, c] = [await h.account(), await h.account()];
    // One 2,000-letter word is spelt letter by letter: over four minutes of audio, seconds of work for flite each.
    // Two of b's at once: whichever reaches the preview first runs (seconds), the other is refused at
    // once — on PostgreSQL their key lookups race on separate connections, so either may be first.
    const ofB = [preview(b.key, 'x'.repeat(2000)), preview(b.key, 'x'.repeat(2000))];
    const ahead = [...ofB, preview(c.key, 'x'.repeat(2000))];
    for (const p of ahead) p.catch(() => undefined);

    const again = await Promise.race(ofB);
    expect(expectError(again, 429, 'rate_limited').message).toMatch(/one preview at a time/i);
    expect(again.headers['retry-after']).toBe('1');

    const last = await preview(a.key, 'Hello.');
    expect(expectError(last, 503, 'overloaded').message).toMatch(/busy/);
    expect(last.headers['retry-after']).toBe('5');
    expect(last.headers['x-request-id']).toMatch(/^req_/);
  });
});
