import { afterEach, describe, expect, it } from 'vitest';
import { encodeG711, G711_SILENCE } from '../../../src/lib/g711.ts';
import { SipTrunk } from '../../../src/providers/voice/sip-trunk.ts';
import type { Codec } from '../../../src/providers/voice/voice-provider.ts';
import { startRtpCapture, type CapturedRtp, type RtpCapture } from '../../support/rtp-capture.ts';
import { startSippUas, type Sipp } from '../../support/sipp.ts';
import { until } from '../../support/wait.ts';
import { buildRtpPacket } from '../../../src/providers/voice/rtp-packet.ts';
import { callRequest, tone } from '../../support/voice-call.ts';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function trunkTo(sipp: Sipp, password = 'secret'): SipTrunk {
  const trunk = new SipTrunk({ name: 'test', url: `sip:hellio:${password}@127.0.0.1:${sipp.port}` });
  cleanups.push(() => trunk.close());
  return trunk;
}

async function sipp(scenario: string, vars: Record<string, string | number> = {}, opts: { fill?: Record<string, number> } = {}): Promise<Sipp> {
  const s = await startSippUas(scenario, vars, opts);
  cleanups.push(() => s.stop());
  return s;
}

async function capture(): Promise<RtpCapture> {
  const c = await startRtpCapture();
  cleanups.push(() => c.close());
  return c;
}

const request = callRequest;

/** The frames a call of this speech, repeat and pause must send, in a codec. */
function expectedPayloads(speech: Int16Array, codec: Codec, repeat: number, pauseMs: number): Buffer[] {
  const enc = encodeG711(speech, codec);
  const frames: Buffer[] = [];
  for (let i = 0; i < enc.length; i += 160) {
    const f = Buffer.alloc(160, G711_SILENCE[codec]);
    enc.copy(f, 0, i, Math.min(i + 160, enc.length));
    frames.push(f);
  }
  const out: Buffer[] = [];
  for (let p = 0; p < repeat; p++) {
    if (p > 0) for (let i = 0; i < pauseMs / 20; i++) out.push(Buffer.alloc(160, G711_SILENCE[codec]));
    out.push(...frames);
  }
  return out;
}

function expectWellFormedStream(packets: CapturedRtp[], pt: number) {
  expect(packets.length).toBeGreaterThan(0);
  const ssrc = packets[0]!.ssrc;
  packets.forEach((p, i) => {
    expect(p.payloadType).toBe(pt);
    expect(p.ssrc).toBe(ssrc);
    if (i > 0) {
      expect(p.sequence).toBe((packets[i - 1]!.sequence + 1) & 0xffff);
      expect(p.timestamp).toBe((packets[i - 1]!.timestamp + 160) >>> 0);
    }
  });
  // Their spacing in time (20 ± 1 ms) is judged in test/timing/, which runs alone.
}

describe('SipTrunk against sipp', () => {
  for (const [codec, pt] of [['PCMU', 0], ['PCMA', 8]] as const) {
    it(`places a call that is answered, sends the speech in ${codec} and hangs up (caller)`, async () => {
      const cap = await capture();
      const far = await sipp('uas-answer.xml', { media_ip: '127.0.0.1', media_port: cap.port, formats: `${pt} 101` });
      const trunk = trunkTo(far);
      const req = request({ speech: tone(1000), repeat: 2, pauseMs: 100 });
      const outcome = await trunk.call(req);
      expect(outcome).toMatchObject({ status: 'completed', sipCode: 200, hangupBy: 'caller', codec, error: null });
      expect(outcome.ringingAt).not.toBeNull();
      expect(outcome.answeredAt).toBeGreaterThanOrEqual(outcome.ringingAt!);
      expect(req.progress.map((p) => p.type)).toEqual(['ringing', 'answered']);
      const want = expectedPayloads(req.speech, codec, 2, 100);
      expect(outcome.framesSent).toBe(want.length);
      expect((await far.exited).code).toBe(0);
      const packets = cap.packets;
      expect(packets.length).toBe(want.length);
      expectWellFormedStream(packets, pt);
      packets.forEach((p, i) => expect(p.payload.equals(want[i]!), `frame ${i}`).toBe(true));
      // Marker on the first packet of each pass only: 50 frames of speech, 5 of pause.
      expect(packets.flatMap((p, i) => (p.marker ? [i] : []))).toEqual([0, 55]);
    });
  }

  for (const [code, status, hangupBy] of [
    [486, 'busy', 'callee'],
    [603, 'busy', 'callee'],
    [480, 'no_answer', 'callee'],
    [404, 'failed', 'system'],
  ] as const) {
    it(`maps a ${code} to ${status} and ACKs it`, async () => {
      const far = await sipp('uas-final.xml', {}, { fill: { code } });
      const req = request();
      const outcome = await trunkTo(far).call(req);
      expect(outcome).toMatchObject({ status, sipCode: code, hangupBy, answeredAt: null, codec: null, framesSent: 0 });
      expect(outcome.trunkFailure).toBeUndefined();
      expect(outcome.ringingAt).not.toBeNull();
      // sipp exits 0 only once our ACK for the final answer came.
      expect((await far.exited).code).toBe(0);
    });
  }

  it('CANCELs a call ringing past its ring timeout: no_answer, hung up by the system', async () => {
    const far = await sipp('uas-ring.xml');
    const req = request({ ringTimeoutMs: 700 });
    const started = Date.now();
    const outcome = await trunkTo(far).call(req);
    expect(outcome).toMatchObject({ status: 'no_answer', sipCode: 487, hangupBy: 'system', answeredAt: null, framesSent: 0 });
    expect(outcome.endedAt - started).toBeGreaterThanOrEqual(700);
    expect(req.progress.map((p) => p.type)).toEqual(['ringing']);
    expect((await far.exited).code).toBe(0);
  });

  it('CANCELs a ringing call when its signal aborts: canceled', async () => {
    const far = await sipp('uas-ring.xml');
    const abort = new AbortController();
    const req = request({ signal: abort.signal, onProgress: (p) => p.type === 'ringing' && setTimeout(() => abort.abort(), 100) });
    const outcome = await trunkTo(far).call(req);
    expect(outcome).toMatchObject({ status: 'canceled', sipCode: 487, hangupBy: 'system', answeredAt: null });
    expect(outcome.ringingAt).not.toBeNull();
    expect((await far.exited).code).toBe(0);
  });

  it('answers a 401 with digest credentials the far end checks', async () => {
    const cap = await capture();
    const far = await sipp('uas-auth.xml', { media_ip: '127.0.0.1', media_port: cap.port, user: 'hellio', password: 'right-pass' });
    const outcome = await trunkTo(far, 'right-pass').call(request({ speech: tone(100) }));
    expect(outcome).toMatchObject({ status: 'completed', sipCode: 200, hangupBy: 'caller', codec: 'PCMU', framesSent: 5 });
    expect((await far.exited).code).toBe(0);
    expect(cap.packets).toHaveLength(5);
  });

  it('ends failed with the second 401 when the password is wrong', async () => {
    const far = await sipp('uas-auth.xml', { media_ip: '127.0.0.1', media_port: 9, user: 'hellio', password: 'right-pass' });
    const outcome = await trunkTo(far, 'wrong-pass').call(request());
    expect(outcome).toMatchObject({ status: 'failed', sipCode: 401, hangupBy: 'system', answeredAt: null });
    expect(outcome.error).toMatch(/credentials/);
    expect(outcome.error).not.toContain('wrong-pass');
    expect((await far.exited).code).toBe(0);
  });

  it('answers the far end hanging up mid-message: completed, hung up by the callee', async () => {
    const cap = await capture();
    const far = await sipp('uas-hangup.xml', { media_ip: '127.0.0.1', media_port: cap.port });
    const req = request({ speech: tone(3000) });
    const outcome = await trunkTo(far).call(req);
    expect(outcome).toMatchObject({ status: 'completed', sipCode: 200, hangupBy: 'callee', codec: 'PCMU' });
    expect(outcome.framesSent).toBeGreaterThan(5);
    expect(outcome.framesSent).toBeLessThan(150);
    expect(outcome.endedAt - outcome.answeredAt!).toBeLessThan(3000);
    expect((await far.exited).code).toBe(0);
    await until('the last packet', () => cap.packets.length >= outcome.framesSent, { timeoutMs: 1000 });
    expect(cap.packets).toHaveLength(outcome.framesSent);
  });

  it('ends an answered call at its time limit: completed, hung up by the system', async () => {
    const cap = await capture();
    const far = await sipp('uas-answer.xml', { media_ip: '127.0.0.1', media_port: cap.port, formats: '0 101' });
    const outcome = await trunkTo(far).call(request({ speech: tone(5000), timeLimitMs: 500 }));
    expect(outcome).toMatchObject({ status: 'completed', sipCode: 200, hangupBy: 'system' });
    expect(outcome.framesSent).toBeGreaterThanOrEqual(20);
    expect(outcome.framesSent).toBeLessThanOrEqual(30);
    expect((await far.exited).code).toBe(0);
  });

  it('answers in-dialog OPTIONS and a re-INVITE, and sends the media where the re-INVITE says', async () => {
    const cap1 = await capture();
    const cap2 = await capture();
    const far = await sipp('uas-dialog.xml', { media_ip: '127.0.0.1', media_port: cap1.port, media_port2: cap2.port });
    const req = request({ speech: tone(1500) });
    const outcome = await trunkTo(far).call(req);
    // The answer lists PCMA first: the first of ours it lists is the codec.
    expect(outcome).toMatchObject({ status: 'completed', hangupBy: 'caller', codec: 'PCMA', framesSent: 75 });
    expect((await far.exited).code).toBe(0);
    expect(cap1.packets.length).toBeGreaterThan(0);
    expect(cap2.packets.length).toBeGreaterThan(0);
    expect(cap1.packets.length + cap2.packets.length).toBe(75);
    // One stream, moved: the sequence goes on where it was.
    expect(cap2.packets[0]!.sequence).toBe((cap1.packets.at(-1)!.sequence + 1) & 0xffff);
  });

  it('latches onto the address RTP comes from (symmetric RTP)', async () => {
    const cap = await capture();
    const other = await capture();
    const far = await sipp('uas-answer.xml', { media_ip: '127.0.0.1', media_port: cap.port, formats: '0 101' });
    const call = trunkTo(far).call(request({ speech: tone(1000) }));
    await until('RTP from the call', () => cap.packets.length >= 5);
    const ours = cap.packets[0]!.from;
    const probe = buildRtpPacket({ payloadType: 0, marker: true, sequence: 1, timestamp: 0, ssrc: 42 }, Buffer.alloc(160, 0xff));
    other.send(probe, ours.port, ours.address);
    const outcome = await call;
    expect(outcome).toMatchObject({ status: 'completed', framesSent: 50 });
    expect(other.packets.length).toBeGreaterThan(10);
    expect(cap.packets.length + other.packets.length).toBe(50);
    expect(other.packets[0]!.sequence).toBe((cap.packets.at(-1)!.sequence + 1) & 0xffff);
  });

  it('hangs up an answered call when its signal aborts: completed, hung up by the system', async () => {
    const cap = await capture();
    const far = await sipp('uas-answer.xml', { media_ip: '127.0.0.1', media_port: cap.port, formats: '0 101' });
    const abort = new AbortController();
    const req = request({ speech: tone(5000), signal: abort.signal, onProgress: (p) => p.type === 'answered' && setTimeout(() => abort.abort(), 300) });
    const outcome = await trunkTo(far).call(req);
    expect(outcome).toMatchObject({ status: 'completed', sipCode: 200, hangupBy: 'system' });
    expect(outcome.framesSent).toBeGreaterThan(10);
    expect(outcome.framesSent).toBeLessThan(30);
    expect((await far.exited).code).toBe(0);
  });

  it('close() CANCELs a ringing call and counts calls in flight meanwhile', async () => {
    const far = await sipp('uas-ring.xml');
    const trunk = trunkTo(far);
    let ringing = false;
    const call = trunk.call(request({ onProgress: (p) => (ringing ||= p.type === 'ringing') }));
    await until('ringing', () => ringing);
    expect(trunk.state()).toEqual({ kind: 'sip', link: null, inFlight: 1, queued: 0, lastError: null });
    await trunk.close();
    expect(await call).toMatchObject({ status: 'canceled', sipCode: 487, hangupBy: 'system' });
    expect(trunk.state().inFlight).toBe(0);
    expect((await far.exited).code).toBe(0);
  });
});
