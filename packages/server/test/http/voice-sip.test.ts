import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeG711 } from '../../src/lib/g711.ts';
import { parseWav } from '../../src/lib/wav.ts';
import { setRouteAs } from '../../src/modules/admin/routes.ts';
import type { Worker } from '../../src/queue/worker.ts';
import { moneyOf } from '../support/accept-peek.ts';
import { BACKENDS, bearer, createHarness, type Harness, type TestAccount } from '../support/harness.ts';
import { type RtpCapture, startRtpCapture } from '../support/rtp-capture.ts';
import { freeUdpPort, startSippUas } from '../support/sipp.ts';
import { recogniseDigits } from '../support/speech.ts';
import { until } from '../support/wait.ts';

/**
 * Calls through the whole product over real SIP: `POST /voice/send` and OTP by voice, placed by
 * the worker through the trunks of HELLIO_SIP_URL / HELLIO_SIP_TRUNKS to sipp, whose SDP points
 * at a UDP socket of the test. What arrives there is decoded and recognised by pocketsphinx; the
 * call's record, bill and audio are checked against it. (The SIP adapter's own cases — every
 * answer, digest, Kamailio, timers — are in test/providers/voice/.)
 */
const FINAL = ['completed', 'busy', 'no_answer', 'failed', 'canceled'];
const US_RATE = 14_000;

describe.each(BACKENDS)('calls over a SIP trunk on %s', (backend) => {
  let h: Harness;
  let a: TestAccount;
  let worker: Worker;
  let sipPort: number;
  let backupPort: number;
  let capture: RtpCapture;

  beforeAll(async () => {
    sipPort = await freeUdpPort();
    backupPort = await freeUdpPort();
    h = await createHarness(backend, {
      env: {
        HELLIO_SIP_URL: `sip:hellio:secret@127.0.0.1:${sipPort}`,
        HELLIO_SIP_TRUNKS: JSON.stringify([{ name: 'backup', url: `sip:hellio:secret@127.0.0.1:${backupPort}` }]),
        HELLIO_RATE_LIMIT_PER_MINUTE: '1000000',
      },
    });
    a = await h.account();
    worker = h.rt.createWorker({ pollMs: 20 });
    worker.start();
  });
  afterAll(async () => {
    await worker?.stop();
    await h?.close();
  });

  const ended = (id: string) =>
    until(
      `call ${id} to end`,
      async () => {
        const c = (await h.app.inject({ method: 'GET', url: `/voice/${id}`, headers: bearer(a.key) })).json();
        return FINAL.includes(c.status) ? c : undefined;
      },
      { timeoutMs: 30_000, everyMs: 100 },
    );

  /** sipp answering on the trunk's port, its SDP pointing at a fresh capture socket. */
  const farEnd = async (port: number, formats = '8 101') => {
    capture = await startRtpCapture();
    return startSippUas('uas-answer.xml', { media_ip: '127.0.0.1', media_port: capture.port, formats }, { port });
  };
  const heard = () => Buffer.concat(capture.packets.map((p) => p.payload));

  it('speaks the text to the far end as G.711 every 20 ms; pocketsphinx hears the code twice; the bill and the audio match', async () => {
    const sipp = await farEnd(sipPort);
    try {
      const res = await h.app.inject({
        method: 'POST',
        url: '/voice/send',
        headers: bearer(a.key),
        payload: { to: '+14155550123', text: 'Your code is 3901.', repeat: 2 },
      });
      expect(res.statusCode).toBe(200);
      const call = await ended(res.json().id);
      expect(call).toMatchObject({ status: 'completed', sip_code: 200, hangup_by: 'caller', codec: 'PCMA' });
      expect(call.events.map((e: { status: string }) => e.status)).toEqual(['queued', 'ringing', 'in_progress', 'completed']);
      expect((await sipp.exited).code).toBe(0);

      const packets = capture.packets;
      expect(packets.length).toBeGreaterThan(100);
      for (const [i, p] of packets.entries()) {
        expect(p.payloadType).toBe(8);
        expect(p.payload.length).toBe(160);
        if (i > 0) {
          expect(p.sequence).toBe((packets[i - 1]!.sequence + 1) & 0xffff);
          expect(p.timestamp).toBe((packets[i - 1]!.timestamp + 160) >>> 0);
        }
      }
      const pcm = decodeG711(heard(), 'PCMA');
      // Both passes heard whole (a recogniser may insert a digit in the pause between them).
      expect(await recogniseDigits(pcm, { leadIn: 'your code is' })).toMatch(/3901\d?3901/);

      // The audio endpoint is what went out, sample for sample.
      const audio = await h.app.inject({ method: 'GET', url: `/voice/${call.id}/audio`, headers: bearer(a.key) });
      expect(Array.from(parseWav(audio.rawPayload).samples)).toEqual(Array.from(pcm));

      // Billed from the answer to the BYE: the started minutes at the US rate; the rest refunded.
      expect(call.duration_seconds).toBeGreaterThanOrEqual(Math.floor((packets.length * 20) / 1000));
      expect(call.price).toBe(((Math.ceil(call.duration_seconds / 60) * US_RATE) / 1e6).toFixed(4));
      const rows = (await moneyOf(h, a.id)).ledger.filter((l) => l.reference === call.id);
      expect(rows.reduce((sum, l) => sum + l.amount_micros, 0)).toBe(-Math.ceil(call.duration_seconds / 60) * US_RATE);
    } finally {
      await sipp.stop();
      await capture.close();
    }
  });

  it('OTP by voice: the code the far end hears is the code that verifies', async () => {
    const sipp = await farEnd(sipPort, '0 101');
    try {
      const otp = (await h.app.inject({ method: 'POST', url: '/otp/send', headers: bearer(a.key), payload: { to: '+14155550124', channel: 'voice', length: 4 } })).json();
      const call = await ended(otp.message_id);
      expect(call).toMatchObject({ status: 'completed', codec: 'PCMU', otp_id: otp.id, text: 'Your verification code is ****.' });
      // The code, as the worker alone can open it; the far end must have heard it, twice.
      const code = h.rt.ctx.otp.keys.open((await h.rt.store.calls.byId(call.id))!.sealed_text!, call.id).replace(/\D/g, '');
      expect(code).toHaveLength(4);
      const digits = await recogniseDigits(decodeG711(heard(), 'PCMU'), { leadIn: 'your verification code is' });
      // Both passes heard: one whole, and another clear of it that is at most one digit off. The
      // code is random and the recogniser has only the digits' words, no context: now and then it
      // mishears one digit of one pass (or inserts one in the pause between them).
      const whole = digits.indexOf(code);
      expect(whole, `heard ${digits}`).toBeGreaterThanOrEqual(0);
      const offBy = (at: number) => [...code].filter((d, i) => digits[at + i] !== d).length;
      const others = [...digits].map((_, at) => at).filter((at) => at + 4 <= digits.length && Math.abs(at - whole) >= 4 && offBy(at) <= 1);
      expect(others, `heard ${digits}, the code ${code}`).not.toEqual([]);
      const wrong = String((Number(code) + 1) % 10_000).padStart(4, '0');
      const no = (await h.app.inject({ method: 'POST', url: '/otp/verify', headers: bearer(a.key), payload: { id: otp.id, code: wrong } })).json();
      expect(no.status).toBe('pending');
      const yes = (await h.app.inject({ method: 'POST', url: '/otp/verify', headers: bearer(a.key), payload: { id: otp.id, code } })).json();
      expect(yes.status).toBe('approved');
    } finally {
      await sipp.stop();
      await capture.close();
    }
  });

  it("fails over to the route's fallback trunk when the first does not take the call (503 without ringing)", async () => {
    await setRouteAs(h.rt.ctx, null, h.rt.channels.known, { channel: 'voice', prefix: '1415', provider: 'backup', fallback: 'sip' });
    const refusing = await startSippUas('uas-unavailable.xml', {}, { port: backupPort, fill: { code: 503 } });
    const sipp = await farEnd(sipPort);
    try {
      const { id } = (await h.app.inject({ method: 'POST', url: '/voice/send', headers: bearer(a.key), payload: { to: '+14155550125', text: 'Hello' } })).json();
      const call = await ended(id);
      expect(call).toMatchObject({ status: 'completed', sip_code: 200 });
      expect(call.events.map((e: { status: string }) => e.status)).toEqual(['queued', 'retrying', 'ringing', 'in_progress', 'completed']);
      expect(call.events[1].detail).toMatch(/^backup: .*503.*trying the next trunk/);
      expect(call.events[2].detail).toBe('via sip');
      expect((await refusing.exited).code).toBe(0);
    } finally {
      await refusing.stop();
      await sipp.stop();
      await capture.close();
      await h.rt.store.routes.remove('voice', '1415');
    }
  });
});
