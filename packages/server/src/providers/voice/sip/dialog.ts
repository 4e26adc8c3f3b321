/**
 * The dialog a 2xx to our INVITE creates (RFC 3261 §12.1.2): Call-ID, tags, the far end's
 * target (its Contact) and the route set (Record-Route, reversed for us as the UAC), and the
 * requests sent inside it (ACK for the 2xx, BYE) with loose or strict routing (§12.2.1.1).
 */
import { formatNameAddr, parseNameAddr, parseSipUri, type NameAddr } from './address.ts';
import { getHeader, getHeaderList, parseCSeq, type SipHeader, type SipRequest, type SipResponse } from './message.ts';

/** The state of one confirmed dialog, as the caller side. */
export class Dialog {
  readonly callId: string;
  /** Our From header (with our tag) and their To header (with theirs), as sent in the dialog. */
  readonly local: string;
  readonly remote: string;
  readonly remoteTag: string;
  /** The far end's Contact URI: the Request-URI of in-dialog requests. */
  remoteTarget: string;
  /** Route set, first hop first (name-addr values). */
  readonly routeSet: string[];
  /** Our CSeq counter; the INVITE's number, incremented for each new in-dialog request. */
  localSeq: number;

  constructor(invite: SipRequest, res: SipResponse) {
    this.callId = getHeader(invite, 'Call-ID')!;
    this.local = getHeader(invite, 'From')!;
    this.remote = getHeader(res, 'To')!;
    this.remoteTag = parseNameAddr(this.remote).params.get('tag') ?? '';
    const contact = getHeaderList(res, 'Contact')[0];
    this.remoteTarget = contact ? parseNameAddr(contact).uri : invite.uri;
    // The UAC takes Record-Route in reverse order (§12.1.2).
    this.routeSet = getHeaderList(res, 'Record-Route').reverse();
    this.localSeq = parseCSeq(invite).seq;
  }

  /** The Request-URI and Route headers of an in-dialog request, loose or strict routing. */
  routing(): { uri: string; routes: string[] } {
    if (this.routeSet.length === 0) return { uri: this.remoteTarget, routes: [] };
    const first = parseNameAddr(this.routeSet[0]!);
    if (parseSipUri(first.uri).params.has('lr')) return { uri: this.remoteTarget, routes: [...this.routeSet] };
    // Strict router: it becomes the Request-URI, and the target goes last in the Route set.
    const bare: NameAddr = { display: null, uri: this.remoteTarget, params: new Map() };
    return { uri: first.uri.replace(/\?.*$/, ''), routes: [...this.routeSet.slice(1), formatNameAddr(bare)] };
  }

  /**
   * An in-dialog request. ACK reuses the INVITE's CSeq number (§13.2.2.4); other methods take
   * the next number. `via` is the complete top Via (new branch).
   */
  request(method: string, via: string, extra: SipHeader[] = [], body = Buffer.alloc(0), inviteSeq?: number): SipRequest {
    const seq = method === 'ACK' ? (inviteSeq ?? this.localSeq) : ++this.localSeq;
    const { uri, routes } = this.routing();
    const headers: SipHeader[] = [
      ['Via', via],
      ['Max-Forwards', '70'],
      ...routes.map((r): SipHeader => ['Route', r]),
      ['From', this.local],
      ['To', this.remote],
      ['Call-ID', this.callId],
      ['CSeq', `${seq} ${method}`],
      ...extra,
    ];
    return { kind: 'request', method, uri, headers, body };
  }
}

/** The URI a request is sent to: its first Route, or else its Request-URI (§8.1.2). */
export function nextHopUri(req: SipRequest): string {
  const route = getHeaderList(req, 'Route')[0];
  return route ? parseNameAddr(route).uri : req.uri;
}
