import { afterEach, describe, expect, it } from 'vitest';
import { SipTrunk } from '../../src/providers/voice/sip-trunk.ts';
import { rtpTiming, startRtpCapture } from '../support/rtp-capture.ts';
import { startSippUas } from '../support/sipp.ts';
import { callRequest, tone } from '../support/voice-call.ts';

/**
 * The RTP stream in time: a packet every 20 ± 1 ms, on a clock that corrects its own drift.
 * Wall-clock spacing is only meaningful on a machine that is not busy with other work, so this
 * folder runs alone, after the rest of the suite (package.json's test script,
 * vitest.timing.config.ts). Even then another process of a shared machine can stall this one for
 * tens of milliseconds, so a miss is tried again (twice at most).
 */
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('RTP spacing against sipp', () => {
  for (const [codec, pt] of [['PCMU', 0], ['PCMA', 8]] as const) {
    it(`sends ${codec} every 20 ± 1 ms, its span exactly frames × 20 ms`, { retry: 2 }, async () => {
      const cap = await startRtpCapture();
      cleanups.push(() => cap.close());
      const far = await startSippUas('uas-answer.xml', { media_ip: '127.0.0.1', media_port: cap.port, formats: `${pt} 101` });
      cleanups.push(() => far.stop());
      const trunk = new SipTrunk({ name: 'timing', url: `sip:hellio:secret@127.0.0.1:${far.port}` });
      cleanups.push(() => trunk.close());
      // Three seconds of speech: 150 packets.
      const outcome = await trunk.call(callRequest({ speech: tone(3_000) }));
      expect(outcome).toMatchObject({ status: 'completed', codec, framesSent: 150 });
      const packets = cap.packets;
      expect(packets).toHaveLength(150);
      const timing = rtpTiming(packets);
      const gaps = `gaps: ${timing.gaps.map((g) => g.toFixed(1)).join(' ')}`;
      // 95 % of packets on their 20 ms slot ± 1 ms, and 90 % of the gaps (one late packet spoils two gaps).
      expect(timing.onSlot, gaps).toBeGreaterThanOrEqual(0.95);
      expect(timing.onTime, gaps).toBeGreaterThanOrEqual(0.9);
      // Self-correcting: a late packet does not delay the ones after it.
      expect(Math.abs(timing.span - (packets.length - 1) * 20), gaps).toBeLessThanOrEqual(20);
    });
  }
});
