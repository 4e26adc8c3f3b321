import { afterEach, describe, expect, it } from 'vitest';
import { encodeG711, G711_SILENCE } from '../../../src/lib/g711.ts';
import { SipTrunk } from '../../../src/providers/voice/sip-trunk.ts';
import type { CallProgress, CallRequest, Codec } from '../../../src/providers/voice/voice-provider.ts';
import { rtpTiming, startRtpCapture, type CapturedRtp, type RtpCapture } from '../../support/rtp-capture.ts';
import { startSippUas, type Sipp } from '../../support/sipp.ts';

/** A tone as the speech of one pass: `ms` long, 8 kHz. */
function tone(ms: number, hz = 440): Int16Array {
  const n = Math.round((ms * 8000) / 1000);
  return Int16Array.from({ length: n }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / 8000)));
}

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function trunkTo(sipp: Sipp, password = 'secret'): SipTrunk {
  const trunk = new SipTrunk({ name: 'test', url: `sip:hellio:${password}@127.0.0.1:${sipp.port}` });
  cleanups.push(() => trunk.close());
  return trunk;
}

async function sipp(scenario: string, vars: Record<string, string | number> = {}): Promise<Sipp> {
  const s = await startSippUas(scenario, vars);
  cleanups.push(() => s.stop());
  return s;
}

async function capture(): Promise<RtpCapture> {
  const c = await startRtpCapture();
  cleanups.push(() => c.close());
  return c;
}

function request(over: Partial<CallRequest> = {}): CallRequest & { progress: CallProgress[] } {
  const progress: CallProgress[] = [];
  return {
    callId: 'call_test',
    to: '+4915112345678',
    from: null,
    speech: tone(300),
    repeat: 1,
    pauseMs: 0,
    ringTimeoutMs: 10_000,
    timeLimitMs: 20_000,
    signal: new AbortController().signal,
    onProgress: (p) => progress.push(p),
    progress,
    ...over,
  };
}

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
  const timing = rtpTiming(packets);
  // 20 ± 1 ms is the protocol figure; a noisy 2-core machine is allowed a few outliers.
  expect(timing.onTime, `gaps: ${timing.gaps.map((g) => g.toFixed(1)).join(' ')}`).toBeGreaterThanOrEqual(0.95);
  expect(Math.abs(timing.span - (packets.length - 1) * 20)).toBeLessThanOrEqual(20);
}

describe('SipTrunk against sipp', () => {
  for (const [codec, pt] of [['PCMU', 0], ['PCMA', 8]] as const) {
    it(`places a call that is answered, sends the speech in ${codec} and hangs up (caller)`, async () => {
      const cap = await capture();
      const far = await sipp('uas-answer.xml', { media_ip: '127.0.0.1', media_port: cap.port, formats: `${pt} 101` });
      const trunk = trunkTo(far);
      const req = request({ speech: tone(300), repeat: 2, pauseMs: 100 });
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
      // Marker on the first packet of each pass only: 15 frames of speech, 5 of pause.
      expect(packets.flatMap((p, i) => (p.marker ? [i] : []))).toEqual([0, 20]);
    });
  }
});
