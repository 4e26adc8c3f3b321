import { afterEach, describe, expect, it } from 'vitest';
import { SipTrunk } from '../../../src/providers/voice/sip-trunk.ts';
import { startKamailioProxy } from '../../support/kamailio.ts';
import { startRtpCapture } from '../../support/rtp-capture.ts';
import { request } from '../../support/sip-peer.ts';
import { startSippUas } from '../../support/sipp.ts';
import { until } from '../../support/wait.ts';

/** Kamailio as the trunk: it demands proxy authentication (407) and record-routes, then hands the call to a sipp UAS. */

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const proxiedCall = () =>
  request({ callId: 'call_proxy', to: '+441632960123', from: '+441632960999', speech: Int16Array.from({ length: 1600 }, (_, i) => Math.round(6000 * Math.sin(i / 3))) });

describe('SipTrunk through kamailio (407, Record-Route)', () => {
  it('answers the proxy challenge and routes the ACK and BYE through the proxy', async () => {
    const cap = await startRtpCapture();
    cleanups.push(() => cap.close());
    const uas = await startSippUas('uas-answer.xml', { media_ip: '127.0.0.1', media_port: cap.port, formats: '8 0 101' });
    cleanups.push(() => uas.stop());
    const proxy = await startKamailioProxy({ uasPort: uas.port, password: 'proxy-pass' });
    cleanups.push(() => proxy.stop());
    const trunk = new SipTrunk({ name: 'kamailio', url: `sip:hellio:proxy-pass@127.0.0.1:${proxy.port}` });
    cleanups.push(() => trunk.close());
    const outcome = await trunk.call(proxiedCall());
    expect(outcome, proxy.log().slice(-3000)).toMatchObject({ status: 'completed', sipCode: 200, hangupBy: 'caller', codec: 'PCMA', framesSent: 10 });
    expect((await uas.exited).code).toBe(0);
    expect(cap.packets).toHaveLength(10);
    const log = proxy.log();
    expect(log).toContain('challenging INVITE from sip:+441632960999@127.0.0.1');
    // The 2xx's ACK and our BYE went to the proxy, by the Route set its Record-Route made.
    expect(log).toContain('in-dialog ACK routed by Route');
    expect(log).toContain('in-dialog BYE routed by Route');
  });

  it('ends failed with 407 when the proxy refuses the password', async () => {
    const uas = await startSippUas('uas-answer.xml', { media_ip: '127.0.0.1', media_port: 9, formats: '0 101' });
    cleanups.push(() => uas.stop());
    const proxy = await startKamailioProxy({ uasPort: uas.port, password: 'proxy-pass' });
    cleanups.push(() => proxy.stop());
    const trunk = new SipTrunk({ name: 'kamailio', url: `sip:hellio:not-it@127.0.0.1:${proxy.port}` });
    cleanups.push(() => trunk.close());
    const outcome = await trunk.call(proxiedCall());
    expect(outcome).toMatchObject({ status: 'failed', sipCode: 407, hangupBy: 'system', answeredAt: null, framesSent: 0 });
    expect(outcome.trunkFailure).toBeUndefined();
    expect(outcome.error).not.toContain('not-it');
    // Challenged twice: once for no credentials, once for wrong ones (its log may trail a little).
    await until('the second challenge in the log', () => proxy.log().match(/challenging INVITE/g)?.length === 2, { last: () => proxy.log().slice(-2000) });
  });
});
