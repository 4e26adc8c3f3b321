import { describe, expect, it } from 'vitest';
import { parseNameAddr, parseSipUri, parseVia } from '../../../src/providers/voice/sip/address.ts';
import { authorizationHeader, digestResponse, parseChallenge } from '../../../src/providers/voice/sip/digest.ts';
import { getHeader, getHeaderList, parseCSeq, parseMessage, serialiseMessage, type SipRequest } from '../../../src/providers/voice/sip/message.ts';
import { buildOffer, parseAnswer } from '../../../src/providers/voice/sip/sdp.ts';
import { finalStatus } from '../../../src/providers/voice/sip/status.ts';
import { parseSipTrunkUrl } from '../../../src/providers/voice/sip-trunk.ts';
import { buildRtpPacket, parseRtpPacket } from '../../../src/providers/voice/rtp-packet.ts';
import { buildPlayout } from '../../../src/providers/voice/rtp-playout.ts';

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'));

describe('SIP messages', () => {
  it('parses a request with compact headers, folding, lists and a body cut at Content-Length', () => {
    const msg = parseMessage(
      crlf([
        'INVITE sip:+15551234567@trunk.example.com:5070 SIP/2.0',
        'v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa,SIP/2.0/UDP 10.0.0.2;branch=z9hG4bKb',
        'Via: SIP/2.0/UDP 10.0.0.3:5062;branch=z9hG4bKc;rport',
        'f: "Alice, the caller" <sip:alice@example.com>;tag=1928',
        't: <sip:+15551234567@trunk.example.com>',
        'i: a84b4c76e66710@pc33',
        'CSeq: 314159 INVITE',
        'Subject: a folded',
        '  subject line',
        'Record-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>',
        'l: 5',
        '',
        'hellotrailing garbage',
      ]),
    );
    expect(msg.kind).toBe('request');
    const req = msg as SipRequest;
    expect(req.method).toBe('INVITE');
    expect(req.uri).toBe('sip:+15551234567@trunk.example.com:5070');
    expect(getHeaderList(req, 'via')).toHaveLength(3);
    expect(getHeader(req, 'From')).toBe('"Alice, the caller" <sip:alice@example.com>;tag=1928');
    expect(getHeaderList(req, 'From')).toHaveLength(1); // the comma inside quotes does not split
    expect(getHeader(req, 'Call-ID')).toBe('a84b4c76e66710@pc33');
    expect(getHeader(req, 'subject')).toBe('a folded subject line');
    expect(getHeaderList(req, 'Record-Route')).toEqual(['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>']);
    expect(parseCSeq(req)).toEqual({ seq: 314159, method: 'INVITE' });
    expect(req.body.toString()).toBe('hello');
  });

  it('parses a response and writes messages back byte for byte with Content-Length from the body', () => {
    const res = parseMessage(crlf(['SIP/2.0 486 Busy Here', 'Via: SIP/2.0/UDP h;branch=z9hG4bKx', 'CSeq: 1 INVITE', 'Content-Length: 0', '', '']));
    expect(res).toMatchObject({ kind: 'response', status: 486, reason: 'Busy Here' });
    const req: SipRequest = { kind: 'request', method: 'BYE', uri: 'sip:b@h', headers: [['Via', 'SIP/2.0/UDP a;branch=z9hG4bK1'], ['Content-Length', '99']], body: Buffer.from('xy') };
    expect(serialiseMessage(req).toString()).toBe('BYE sip:b@h SIP/2.0\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\r\nContent-Length: 2\r\n\r\nxy');
    const again = parseMessage(serialiseMessage(req));
    expect(again).toEqual({ ...req, headers: [req.headers[0], ['Content-Length', '2']] });
  });

  it('refuses what is not SIP', () => {
    expect(() => parseMessage(Buffer.from('GET / HTTP/1.1\r\n\r\n'))).toThrow(/start line/);
    expect(() => parseMessage(Buffer.from('INVITE sip:a@b SIP/2.0\r\nVia x'))).toThrow(/empty line/);
    expect(() => parseMessage(crlf(['SIP/2.0 200 OK', 'Content-Length: 10', '', 'short']))).toThrow(/shorter/);
  });

  it('reads addresses, URIs and Via', () => {
    expect(parseNameAddr('"Bob" <sip:bob@[2001:db8::1]:5070;transport=udp>;tag=abc;lr')).toMatchObject({ display: 'Bob', uri: 'sip:bob@[2001:db8::1]:5070;transport=udp' });
    expect(parseNameAddr('sip:carol@h;tag=9').params.get('tag')).toBe('9');
    const uri = parseSipUri('sip:+4930123@[2001:db8::1]:5070;lr');
    expect(uri).toMatchObject({ user: '+4930123', host: '2001:db8::1', port: 5070 });
    expect(uri.params.has('lr')).toBe(true);
    expect(parseVia('SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK77;rport=5061;received=198.51.100.7')).toMatchObject({ transport: 'UDP', host: '192.0.2.1', port: 5060 });
  });
});

describe('digest authentication', () => {
  it('computes RFC 2617 §3.5 worked example', () => {
    expect(
      digestResponse({
        username: 'Mufasa',
        password: 'Circle Of Life',
        realm: 'testrealm@host.com',
        nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
        method: 'GET',
        uri: '/dir/index.html',
        qop: 'auth',
        nc: '00000001',
        cnonce: '0a4f113b',
      }),
    ).toBe('6629fae49393a05397450978507c4ef1');
  });

  it('answers a qop=auth challenge with cnonce and nc, and one without qop in the RFC 2069 form', () => {
    const ch = parseChallenge('Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"')!;
    expect(ch).toMatchObject({ realm: 'testrealm@host.com', qop: ['auth', 'auth-int'], opaque: '5ccc069c403ebaf9f0171e9517f40e41', algorithm: 'MD5' });
    const h = authorizationHeader(ch, { username: 'Mufasa', password: 'Circle Of Life' }, 'GET', '/dir/index.html', '0a4f113b');
    expect(h).toContain('response="6629fae49393a05397450978507c4ef1"');
    expect(h).toContain('qop=auth, nc=00000001');
    expect(h).toContain('cnonce="0a4f113b"');
    expect(h).toContain('opaque="5ccc069c403ebaf9f0171e9517f40e41"');
    const plain = parseChallenge('Digest realm="r", nonce="n"')!;
    const h2 = authorizationHeader(plain, { username: 'u', password: 'p' }, 'INVITE', 'sip:+1@h');
    expect(h2).not.toContain('qop');
    expect(h2).not.toContain('cnonce');
    expect(h2).toContain(`response="${digestResponse({ username: 'u', password: 'p', realm: 'r', nonce: 'n', method: 'INVITE', uri: 'sip:+1@h' })}"`);
    expect(parseChallenge('Basic realm="x"')).toBeNull();
    expect(parseChallenge('Digest realm="x", nonce="y", algorithm=SHA-256')).toBeNull();
  });
});

describe('SDP', () => {
  it('offers PCMU, PCMA and telephone-event', () => {
    const sdp = buildOffer({ address: '192.0.2.10', port: 40000, sessionId: '1' });
    expect(sdp).toContain('c=IN IP4 192.0.2.10\r\n');
    expect(sdp).toContain('m=audio 40000 RTP/AVP 0 8 101\r\n');
    expect(sdp).toContain('a=rtpmap:101 telephone-event/8000');
  });

  it('takes the first of our codecs the answer lists, and media-level c= over session-level', () => {
    expect(parseAnswer('v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 5004 RTP/AVP 101 8 0\r\nc=IN IP4 192.0.2.2\r\n')).toEqual({ address: '192.0.2.2', port: 5004, codec: 'PCMA', payloadType: 8 });
    expect(parseAnswer('v=0\nc=IN IP4 192.0.2.1\nm=audio 5004 RTP/AVP 0 101\n')).toMatchObject({ address: '192.0.2.1', codec: 'PCMU' });
    expect(parseAnswer('v=0\r\nc=IN IP4 h\r\nm=audio 5004 RTP/AVP 18 101\r\n').codec).toBeNull();
    expect(parseAnswer('v=0\r\nc=IN IP4 h\r\nm=audio 0 RTP/AVP 0\r\n').codec).toBeNull();
    expect(() => parseAnswer('v=0\r\nm=video 5 RTP/AVP 96\r\n')).toThrow(/audio/);
  });
});

describe('the trunk URL', () => {
  it('parses sip:user:password@host:port', () => {
    expect(parseSipTrunkUrl('sip:acme:s%40cret@sip.example.net:5070')).toEqual({ user: 'acme', password: 's@cret', host: 'sip.example.net', port: 5070 });
    expect(parseSipTrunkUrl('sip:acme:pw@[2001:db8::5]')).toEqual({ user: 'acme', password: 'pw', host: '2001:db8::5', port: 5060 });
  });

  it('refuses bad URLs without echoing the password', () => {
    for (const bad of ['http://acme:hunter2@h', 'sips:acme:hunter2@h', 'sip:hunter2@', 'sip:acme:hunter2@h:99999', 'sip:acme:hunter2@bad host', 'sip:h', '']) {
      expect(() => parseSipTrunkUrl(bad), bad).toThrow(/SIP URL/);
      try {
        parseSipTrunkUrl(bad);
      } catch (err) {
        expect((err as Error).message).not.toContain('hunter2');
      }
    }
  });
});

describe('final answers to statuses', () => {
  it('maps the issue table', () => {
    expect(finalStatus(486, null)).toEqual({ status: 'busy', hangupBy: 'callee', trunkFailure: false });
    expect(finalStatus(600, null).status).toBe('busy');
    expect(finalStatus(603, null).status).toBe('busy');
    expect(finalStatus(408, null).status).toBe('no_answer');
    expect(finalStatus(480, null).status).toBe('no_answer');
    expect(finalStatus(487, 'ring_timeout')).toEqual({ status: 'no_answer', hangupBy: 'system', trunkFailure: false });
    expect(finalStatus(487, 'abort')).toEqual({ status: 'canceled', hangupBy: 'system', trunkFailure: false });
    for (const code of [500, 502, 503, 504]) expect(finalStatus(code, null)).toEqual({ status: 'failed', hangupBy: 'system', trunkFailure: true });
    for (const code of [403, 404, 488, 606]) expect(finalStatus(code, null)).toMatchObject({ status: 'failed', trunkFailure: false });
  });
});

describe('RTP', () => {
  it('writes and reads the fixed header', () => {
    const p = buildRtpPacket({ payloadType: 8, marker: true, sequence: 65535, timestamp: 0xfffffff0, ssrc: 0xdeadbeef }, Buffer.from([1, 2, 3]));
    expect([...p.subarray(0, 2)]).toEqual([0x80, 0x88]);
    expect(parseRtpPacket(p)).toMatchObject({ payloadType: 8, marker: true, sequence: 65535, timestamp: 0xfffffff0, ssrc: 0xdeadbeef, payload: Buffer.from([1, 2, 3]) });
  });

  it('cuts the message into frames: passes, pauses, padding and markers', () => {
    const frames = buildPlayout(new Int16Array(400), 'PCMA', 3, 60);
    // 400 samples → 3 frames (the last padded), 3 passes, 3 pause frames between two passes.
    expect(frames).toHaveLength(3 * 3 + 2 * 3);
    expect(frames.map((f) => f.marker)).toEqual([true, false, false, false, false, false, true, false, false, false, false, false, true, false, false]);
    expect(frames.every((f) => f.payload.length === 160)).toBe(true);
    expect(frames[2]!.payload.subarray(80).every((b) => b === 0xd5)).toBe(true);
  });
});
