import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { getHeader, getHeaderList, serialiseMessage, type SipHeader } from '../../../src/providers/voice/sip/message.ts';
import { startRtpCapture } from '../../support/rtp-capture.ts';
import { closeAll, cleanups, FakePeer, request, trunk } from '../../support/sip-peer.ts';
import { until } from '../../support/wait.ts';

/**
 * The trunk against a scripted far end on a bare UDP socket: for what sipp cannot show plainly —
 * retransmission timers, the ACK's destination through a Route set, a retransmitted 2xx, a 200
 * crossing our CANCEL, out-of-dialog OPTIONS, 503. The retransmission intervals themselves are
 * judged in test/timing/sip-timers.test.ts, with nothing else running; here only that no timer
 * fires early (a busy machine makes them late, never early).
 */
afterEach(closeAll);

const sdp = (port: number, pt = 0) => `v=0\r\no=x 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${port} RTP/AVP ${pt}\r\n`;

describe('SIP transactions and dialog against a scripted peer', () => {
  it('retransmits an unanswered INVITE on timer A (T1 doubling) and fails on timer B as a trunk failure', async () => {
    const peer = await FakePeer.start();
    const t = trunk(peer.port, 50);
    const started = performance.now();
    const outcome = await t.call(request());
    const elapsed = performance.now() - started;
    expect(outcome).toMatchObject({ status: 'failed', sipCode: null, hangupBy: 'system', trunkFailure: true, answeredAt: null });
    expect(t.state()).toMatchObject({ kind: 'sip', inFlight: 0 });
    expect(t.state().lastError).toMatch(/timer B/);
    // Timer B: 64 × T1 = 3.2 s.
    expect(elapsed).toBeGreaterThanOrEqual(3200 - 5);
    const invites = peer.requests('INVITE');
    // Sent at 0, 50, 150, 350, 750, 1550, 3150 ms (the last is 50 ms before timer B: a very busy
    // machine may push it past B, which is still right).
    expect(invites.length).toBeGreaterThanOrEqual(6);
    expect(invites.length).toBeLessThanOrEqual(7);
    const gaps = invites.slice(1).map((g, i) => g.at - invites[i]!.at);
    gaps.forEach((gap, i) => expect(gap, `gap ${i}: ${gaps.join(', ')}`).toBeGreaterThanOrEqual(50 * 2 ** i - 5));
    // Retransmissions are the same request: same branch.
    expect(new Set(invites.map((g) => getHeaderList(g.msg, 'Via')[0])).size).toBe(1);
  });

  it('stops timer A on a provisional; CANCEL retransmits on timer E and the call ends 64 × T1 after it', async () => {
    const peer = await FakePeer.start();
    const t = trunk(peer.port, 50);
    const call = t.call(request({ ringTimeoutMs: 300 }));
    const invite = await peer.wait('INVITE');
    peer.reply(invite, 100);
    await peer.wait('CANCEL', 4);
    const outcome = await call;
    expect(outcome).toMatchObject({ status: 'no_answer', sipCode: null, hangupBy: 'system' });
    expect(peer.requests('INVITE')).toHaveLength(1);
    const cancels = peer.requests('CANCEL');
    // Timer E: 50, 100, 200, 400 … capped at T2 (4 s); timer F ends it at 3.2 s.
    const gaps = cancels.slice(1).map((g, i) => g.at - cancels[i]!.at);
    expect(gaps[0]).toBeGreaterThan(35);
    expect(gaps[1]).toBeGreaterThan(gaps[0]! * 1.5);
    // CANCEL has the INVITE's branch, Call-ID, From, To and CSeq number.
    const c = cancels[0]!.msg;
    expect(getHeaderList(c, 'Via')[0]).toBe(getHeaderList(invite.msg, 'Via')[0]);
    expect(getHeader(c, 'CSeq')).toBe('1 CANCEL');
    expect(c.uri).toBe(invite.msg.uri);
  });

  it('ACKs a 503 on the same branch and reports a trunk failure', async () => {
    const peer = await FakePeer.start();
    const call = trunk(peer.port).call(request());
    const invite = await peer.wait('INVITE');
    peer.reply(invite, 503);
    const outcome = await call;
    expect(outcome).toMatchObject({ status: 'failed', sipCode: 503, trunkFailure: true });
    const ack = (await peer.wait('ACK')).msg;
    expect(getHeaderList(ack, 'Via')[0]).toBe(getHeaderList(invite.msg, 'Via')[0]);
    expect(ack.uri).toBe(invite.msg.uri);
    expect(getHeader(ack, 'To')).toContain('tag=far1');
    expect(getHeader(ack, 'CSeq')).toBe('1 ACK');
    // A retransmitted 503 is ACKed again.
    peer.reply(invite, 503);
    await peer.wait('ACK', 2);
  });

  it('sends the ACK for a 2xx (new branch) to the Route set from Record-Route reversed, re-ACKs a retransmitted 200, and BYEs the same way', async () => {
    const edge = await FakePeer.start(); // the trunk: gets the INVITE
    const inner = await FakePeer.start(); // the proxy nearest us on the way back: first in our Route set
    const cap = await startRtpCapture();
    cleanups.push(() => cap.close());
    const call = trunk(edge.port).call(request({ speech: new Int16Array(1600).fill(500) }));
    const invite = await edge.wait('INVITE');
    expect(invite.msg.uri).toBe(`sip:+15550001111@127.0.0.1:${edge.port}`);
    expect(getHeader(invite.msg, 'From')).toMatch(/^<sip:hellio@127\.0\.0\.1>;tag=/);
    const rr: SipHeader[] = [['Record-Route', `<sip:127.0.0.1:${edge.port};lr>, <sip:127.0.0.1:${inner.port};lr>`]];
    const ok: SipHeader[] = [...rr, ['Contact', '<sip:far@192.0.2.99:5099>'], ['Content-Type', 'application/sdp']];
    edge.reply(invite, 200, ok, sdp(cap.port, 8));
    const ack = await inner.wait('ACK');
    expect(ack.msg.uri).toBe('sip:far@192.0.2.99:5099');
    expect(getHeaderList(ack.msg, 'Route')).toEqual([`<sip:127.0.0.1:${inner.port};lr>`, `<sip:127.0.0.1:${edge.port};lr>`]);
    expect(getHeaderList(ack.msg, 'Via')[0]).not.toBe(getHeaderList(invite.msg, 'Via')[0]);
    expect(getHeader(ack.msg, 'CSeq')).toBe('1 ACK');
    edge.reply(invite, 200, ok, sdp(cap.port, 8));
    await inner.wait('ACK', 2);
    const bye = await inner.wait('BYE');
    inner.reply(bye, 200);
    const outcome = await call;
    expect(outcome).toMatchObject({ status: 'completed', hangupBy: 'caller', codec: 'PCMA', framesSent: 10 });
    expect(bye.msg.uri).toBe('sip:far@192.0.2.99:5099');
    expect(getHeader(bye.msg, 'CSeq')).toBe('2 BYE');
    expect(getHeader(bye.msg, 'To')).toContain('tag=far1');
  });

  it('ACKs and BYEs a 200 that crosses our CANCEL: canceled', async () => {
    const peer = await FakePeer.start();
    const cap = await startRtpCapture();
    cleanups.push(() => cap.close());
    const abort = new AbortController();
    const call = trunk(peer.port).call(request({ signal: abort.signal }));
    const invite = await peer.wait('INVITE');
    peer.reply(invite, 180);
    await until('ringing', () => true);
    setTimeout(() => abort.abort(), 50);
    const cancel = await peer.wait('CANCEL');
    peer.reply(cancel, 200);
    peer.reply(invite, 200, [['Contact', `<sip:far@127.0.0.1:${peer.port}>`], ['Content-Type', 'application/sdp']], sdp(cap.port));
    await peer.wait('ACK');
    const bye = await peer.wait('BYE');
    peer.reply(bye, 200);
    const outcome = await call;
    expect(outcome).toMatchObject({ status: 'canceled', sipCode: 200, hangupBy: 'system', answeredAt: null, framesSent: 0 });
  });

  it('answers out-of-dialog OPTIONS with 200 and unknown requests sensibly', async () => {
    const t = trunk(9);
    const { port } = await t.open();
    const peer = await FakePeer.start();
    const answers: string[] = [];
    peer.socket.on('message', (d) => answers.push(d.toString()));
    const options = (method: string, toTag = '') =>
      serialiseMessage({
        kind: 'request',
        method,
        uri: `sip:hellio@127.0.0.1:${port}`,
        headers: [['Via', `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK${method}`], ['From', '<sip:mon@x>;tag=1'], ['To', `<sip:hellio@x>${toTag}`], ['Call-ID', `ping-${method}`], ['CSeq', `7 ${method}`]],
        body: Buffer.alloc(0),
      });
    peer.socket.send(options('OPTIONS'), port, '127.0.0.1');
    await until('the OPTIONS answer', () => answers.length === 1);
    expect(answers[0]).toMatch(/^SIP\/2\.0 200 OK\r\n/);
    expect(answers[0]).toContain('CSeq: 7 OPTIONS');
    expect(answers[0]).toContain('Call-ID: ping-OPTIONS');
    expect(answers[0]).toMatch(/To: <sip:hellio@x>;tag=/);
    peer.socket.send(options('BYE', ';tag=unknown'), port, '127.0.0.1');
    await until('the BYE answer', () => answers.length === 2);
    expect(answers[1]).toMatch(/^SIP\/2\.0 481 /);
  });

  it('says the advertised address in Via, Contact and SDP, takes RTP ports from rtpPorts, and From from the request', async () => {
    const peer = await FakePeer.start();
    const t = trunk(peer.port, undefined, { advertisedAddress: '192.0.2.7', rtpPorts: [41000, 41010] });
    const call = t.call(request({ from: '+15559998888' }));
    const invite = (await peer.wait('INVITE')).msg;
    expect(getHeaderList(invite, 'Via')[0]).toMatch(/^SIP\/2\.0\/UDP 192\.0\.2\.7:\d+;branch=z9hG4bK/);
    expect(getHeader(invite, 'Contact')).toMatch(/^<sip:hellio@192\.0\.2\.7:\d+>$/);
    expect(getHeader(invite, 'From')).toMatch(/^<sip:\+15559998888@127\.0\.0\.1>;tag=/);
    const body = invite.body.toString();
    expect(body).toContain('c=IN IP4 192.0.2.7');
    const port = Number(/m=audio (\d+) RTP\/AVP 0 8 101/.exec(body)![1]);
    expect(port % 2).toBe(0);
    expect(port).toBeGreaterThanOrEqual(41000);
    expect(port).toBeLessThanOrEqual(41010);
    peer.reply(await peer.wait('INVITE'), 486);
    expect(await call).toMatchObject({ status: 'busy', sipCode: 486 });
  });

  it('advertises the address the OS uses towards the trunk when bound to any address', async () => {
    const peer = await FakePeer.start();
    const t = trunk(peer.port, undefined, { bindAddress: '0.0.0.0' });
    expect((await t.open()).advertised).toBe('127.0.0.1');
  });

  it('answers a challenge to its BYE with credentials', async () => {
    const peer = await FakePeer.start();
    const cap = await startRtpCapture();
    cleanups.push(() => cap.close());
    const call = trunk(peer.port).call(request());
    const invite = await peer.wait('INVITE');
    peer.reply(invite, 200, [['Contact', `<sip:far@127.0.0.1:${peer.port}>`], ['Content-Type', 'application/sdp']], sdp(cap.port));
    const bye = await peer.wait('BYE');
    peer.reply(bye, 407, [['Proxy-Authenticate', 'Digest realm="trunk", nonce="n0nce", qop="auth"']]);
    const again = await peer.wait('BYE', 2);
    expect(getHeader(again.msg, 'Proxy-Authorization')).toMatch(/^Digest username="hellio", realm="trunk", nonce="n0nce", uri="sip:far@127\.0\.0\.1:\d+", response="[0-9a-f]{32}"/);
    expect(getHeader(again.msg, 'CSeq')).toBe('3 BYE');
    peer.reply(again, 200);
    expect(await call).toMatchObject({ status: 'completed', hangupBy: 'caller', framesSent: 5 });
  });

  it('takes a 183 as ringing (once, whatever follows) and a 600 as busy', async () => {
    const peer = await FakePeer.start();
    const progress: string[] = [];
    const call = trunk(peer.port).call(request({ onProgress: (p) => progress.push(p.type) }));
    const invite = await peer.wait('INVITE');
    peer.reply(invite, 100);
    peer.reply(invite, 183);
    peer.reply(invite, 180);
    await until('ringing', () => progress.length > 0);
    peer.reply(invite, 600);
    const outcome = await call;
    expect(outcome).toMatchObject({ status: 'busy', sipCode: 600, hangupBy: 'callee' });
    expect(outcome.ringingAt).not.toBeNull();
    expect(progress).toEqual(['ringing']);
  });
});
