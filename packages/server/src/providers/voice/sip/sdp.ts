/**
 * The SDP of a call (RFC 4566, offer/answer per RFC 3264): our offer of PCMU, PCMA and
 * telephone-event, and reading the far end's answer for its media address and chosen codec.
 */
import { isIPv6 } from 'node:net';
import type { Codec } from '../voice-provider.ts';

/** RTP payload type of each G.711 law (RFC 3551's static assignments). */
export const PAYLOAD_TYPE: Record<Codec, number> = { PCMU: 0, PCMA: 8 };
/** The dynamic payload type we offer for DTMF events (RFC 4733). */
export const TELEPHONE_EVENT_PT = 101;

/** Our offer for one call; the same text is sent again unchanged in answers to re-INVITEs. */
export function buildOffer(o: { address: string; port: number; sessionId: string }): string {
  const ipv = isIPv6(o.address) ? 'IP6' : 'IP4';
  return [
    'v=0',
    `o=hellio ${o.sessionId} ${o.sessionId} IN ${ipv} ${o.address}`,
    's=hellio',
    `c=IN ${ipv} ${o.address}`,
    't=0 0',
    `m=audio ${o.port} RTP/AVP 0 8 ${TELEPHONE_EVENT_PT}`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    `a=rtpmap:${TELEPHONE_EVENT_PT} telephone-event/8000`,
    `a=fmtp:${TELEPHONE_EVENT_PT} 0-16`,
    'a=ptime:20',
    'a=sendrecv',
    '',
  ].join('\r\n');
}

/** What an answer (or a re-INVITE's offer) says about the audio stream. */
export interface SdpMedia {
  /** Where to send RTP. */
  address: string;
  port: number;
  /** The first of our codecs the answer lists, or null when none (or the stream is refused). */
  codec: Codec | null;
  payloadType: number | null;
}

/** Reads the first audio stream of an SDP body; throws when there is none. */
export function parseAnswer(sdp: string): SdpMedia {
  let sessionAddr: string | null = null;
  let media: { port: number; formats: string[]; addr: string | null; rtpmap: Map<string, string> } | null = null;
  let inAudio = false;
  for (const raw of sdp.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.length < 2 || line[1] !== '=') continue;
    const type = line[0];
    const value = line.slice(2);
    if (type === 'm') {
      if (media) break; // only the first audio stream matters
      const m = /^audio\s+(\d+)(?:\/\d+)?\s+RTP\/S?AVPF?\s*(.*)$/i.exec(value);
      inAudio = !!m;
      if (m) media = { port: Number(m[1]), formats: m[2]!.trim().split(/\s+/).filter(Boolean), addr: null, rtpmap: new Map() };
    } else if (type === 'c') {
      const c = /^IN\s+IP[46]\s+([^\s/]+)/i.exec(value);
      if (c) {
        if (inAudio && media) media.addr = c[1]!;
        else if (!media) sessionAddr = c[1]!;
      }
    } else if (type === 'a' && inAudio && media) {
      const r = /^rtpmap:(\d+)\s+([^/\s]+)\/(\d+)/i.exec(value);
      if (r) media.rtpmap.set(r[1]!, `${r[2]!.toUpperCase()}/${r[3]}`);
    }
  }
  if (!media) throw new Error('SDP without an audio stream');
  const address = media.addr ?? sessionAddr;
  if (!address) throw new Error('SDP without a connection address');
  let codec: Codec | null = null;
  let payloadType: number | null = null;
  if (media.port !== 0) {
    for (const f of media.formats) {
      const name = media.rtpmap.get(f) ?? (f === '0' ? 'PCMU/8000' : f === '8' ? 'PCMA/8000' : '');
      if (name === 'PCMU/8000' || name === 'PCMA/8000') {
        codec = name.slice(0, 4) as Codec;
        payloadType = Number(f);
        break;
      }
    }
  }
  return { address, port: media.port, codec, payloadType };
}
