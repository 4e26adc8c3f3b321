/**
 * SIP messages (RFC 3261 §7): parsing a datagram into a request or response and writing one back.
 * Headers keep their order and repetition; names are matched case-insensitively and compact
 * forms (§7.3.3) are expanded on parse so the rest of the code asks for one name only.
 */

/** One header line as received or to send: its canonical name and its raw value. */
export type SipHeader = [name: string, value: string];

/** A SIP request. */
export interface SipRequest {
  kind: 'request';
  method: string;
  uri: string;
  headers: SipHeader[];
  body: Buffer;
}

/** A SIP response. */
export interface SipResponse {
  kind: 'response';
  status: number;
  reason: string;
  headers: SipHeader[];
  body: Buffer;
}

/** Either kind of SIP message. */
export type SipMessage = SipRequest | SipResponse;

const COMPACT: Record<string, string> = {
  i: 'Call-ID',
  m: 'Contact',
  e: 'Content-Encoding',
  l: 'Content-Length',
  c: 'Content-Type',
  f: 'From',
  s: 'Subject',
  k: 'Supported',
  t: 'To',
  v: 'Via',
};

const CANONICAL = new Map(
  [
    'Via', 'From', 'To', 'Call-ID', 'CSeq', 'Contact', 'Max-Forwards', 'Content-Type', 'Content-Length',
    'Route', 'Record-Route', 'WWW-Authenticate', 'Proxy-Authenticate', 'Authorization', 'Proxy-Authorization',
    'User-Agent', 'Allow', 'Accept', 'Supported', 'Subject', 'Content-Encoding', 'Server',
  ].map((n) => [n.toLowerCase(), n]),
);

/** A header name in its usual spelling (compact forms expanded), so lookups compare one form. */
export function canonicalName(name: string): string {
  const lower = name.trim().toLowerCase();
  return COMPACT[lower] ?? CANONICAL.get(lower) ?? name.trim();
}

/** Parses one UDP datagram; throws an Error naming what is wrong when it is not a SIP message. */
export function parseMessage(data: Buffer): SipMessage {
  let end = data.indexOf('\r\n\r\n');
  let sepLen = 4;
  if (end < 0) {
    end = data.indexOf('\n\n');
    sepLen = 2;
  }
  if (end < 0) throw new Error('SIP message without the empty line ending its headers');
  const head = data.subarray(0, end).toString('utf8');
  const lines = head.split(/\r?\n/);
  const start = lines.shift()!.trim();
  const headers: SipHeader[] = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && headers.length > 0) {
      // Header folding (§7.3.1): a line starting with whitespace continues the previous value.
      headers[headers.length - 1]![1] += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`SIP header line without a name: ${JSON.stringify(line.slice(0, 40))}`);
    headers.push([canonicalName(line.slice(0, colon)), line.slice(colon + 1).trim()]);
  }
  let body = data.subarray(end + sepLen);
  const length = headers.find(([n]) => n === 'Content-Length')?.[1];
  if (length !== undefined) {
    const n = Number(length);
    if (!Number.isInteger(n) || n < 0) throw new Error(`bad Content-Length ${JSON.stringify(length)}`);
    if (n > body.length) throw new Error('SIP message body shorter than its Content-Length');
    body = body.subarray(0, n);
  }
  body = Buffer.from(body);
  const status = /^SIP\/2\.0 (\d{3})(?: (.*))?$/i.exec(start);
  if (status) return { kind: 'response', status: Number(status[1]), reason: status[2] ?? '', headers, body };
  const request = /^([A-Za-z]+) (\S+) SIP\/2\.0$/i.exec(start);
  if (request) return { kind: 'request', method: request[1]!.toUpperCase(), uri: request[2]!, headers, body };
  throw new Error(`not a SIP start line: ${JSON.stringify(start.slice(0, 60))}`);
}

/** Writes a message for the wire; Content-Length is always set from the body. */
export function serialiseMessage(msg: SipMessage): Buffer {
  const start = msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0` : `SIP/2.0 ${msg.status} ${msg.reason}`;
  const lines = [start];
  for (const [name, value] of msg.headers) if (name !== 'Content-Length') lines.push(`${name}: ${value}`);
  lines.push(`Content-Length: ${msg.body.length}`);
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'utf8'), msg.body]);
}

/** The first value of a header, or undefined. */
export function getHeader(msg: { headers: SipHeader[] }, name: string): string | undefined {
  const want = canonicalName(name);
  return msg.headers.find(([n]) => n === want)?.[1];
}

/**
 * Every value of a header, with comma-separated lists split into their elements (§7.3.1) —
 * for Via, Route, Record-Route and Contact, which may come either way.
 */
export function getHeaderList(msg: { headers: SipHeader[] }, name: string): string[] {
  const want = canonicalName(name);
  return msg.headers.filter(([n]) => n === want).flatMap(([, v]) => splitList(v));
}

/** Splits a header value at the commas that are outside quotes and angle brackets. */
export function splitList(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  let angle = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (quoted) {
      cur += ch;
      if (ch === '\\' && i + 1 < value.length) cur += value[++i];
      else if (ch === '"') quoted = false;
    } else if (ch === '"') {
      quoted = true;
      cur += ch;
    } else if (ch === '<') {
      angle = true;
      cur += ch;
    } else if (ch === '>') {
      angle = false;
      cur += ch;
    } else if (ch === ',' && !angle) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

/** The CSeq header as its number and method. */
export function parseCSeq(msg: { headers: SipHeader[] }): { seq: number; method: string } {
  const value = getHeader(msg, 'CSeq');
  const m = value && /^(\d+)\s+([A-Za-z]+)$/.exec(value.trim());
  if (!m) throw new Error(`bad or missing CSeq ${JSON.stringify(value)}`);
  return { seq: Number(m[1]), method: m[2]!.toUpperCase() };
}
