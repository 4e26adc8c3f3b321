/**
 * The address parts of SIP headers (RFC 3261 §20.10, §19.1, §20.42): name-addr with its
 * parameters (From, To, Contact, Route, Record-Route), SIP URIs, and Via.
 */

/** `"Display" <uri>;param=value` or a bare `uri;param=value`. */
export interface NameAddr {
  display: string | null;
  uri: string;
  /** Header parameters (outside the angle brackets): tag, lr in a bare URI, expires … */
  params: Map<string, string | null>;
}

/** A sip: or sips: URI's parts. */
export interface SipUri {
  scheme: 'sip' | 'sips';
  user: string | null;
  host: string;
  port: number | null;
  /** URI parameters (;lr, ;transport=udp …), names lower-cased. */
  params: Map<string, string | null>;
}

/** One Via header value. */
export interface Via {
  transport: string;
  host: string;
  port: number | null;
  params: Map<string, string | null>;
}

function parseParams(text: string): Map<string, string | null> {
  const params = new Map<string, string | null>();
  for (const part of text.split(';')) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq < 0) params.set(p.toLowerCase(), null);
    else params.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return params;
}

/** Parses a name-addr or addr-spec header value; throws when it has no URI. */
export function parseNameAddr(value: string): NameAddr {
  const v = value.trim();
  const lt = v.indexOf('<');
  if (lt >= 0) {
    const gt = v.indexOf('>', lt);
    if (gt < 0) throw new Error(`unclosed < in ${JSON.stringify(v)}`);
    const display = v.slice(0, lt).trim().replace(/^"(.*)"$/, '$1');
    return { display: display || null, uri: v.slice(lt + 1, gt).trim(), params: parseParams(v.slice(gt + 1)) };
  }
  // Without angle brackets, parameters after the URI belong to the header (§20.10).
  const semi = v.indexOf(';');
  const uri = semi < 0 ? v : v.slice(0, semi);
  if (!uri) throw new Error('empty address');
  return { display: null, uri, params: parseParams(semi < 0 ? '' : v.slice(semi)) };
}

/** Writes a name-addr, always with angle brackets (safe whatever the URI holds). */
export function formatNameAddr(a: NameAddr): string {
  const display = a.display ? `"${a.display.replace(/(["\\])/g, '\\$1')}" ` : '';
  return `${display}<${a.uri}>${formatParams(a.params)}`;
}

/** `;name=value;flag` for a parameter map. */
export function formatParams(params: Map<string, string | null>): string {
  let out = '';
  for (const [k, v] of params) out += v === null ? `;${k}` : `;${k}=${v}`;
  return out;
}

/** Parses a sip:/sips: URI (user part, host or [IPv6], port, parameters; headers after ? ignored). */
export function parseSipUri(uri: string): SipUri {
  const m = /^(sips?):(?:([^@]*)@)?(\[[^\]]+\]|[^:;?]+)(?::(\d+))?([^?]*)/i.exec(uri.trim());
  if (!m) throw new Error(`not a SIP URI: ${JSON.stringify(uri)}`);
  const userinfo = m[2] ?? null;
  return {
    scheme: m[1]!.toLowerCase() as 'sip' | 'sips',
    user: userinfo === null ? null : userinfo.split(':')[0]!,
    host: m[3]!.replace(/^\[(.*)\]$/, '$1'),
    port: m[4] ? Number(m[4]) : null,
    params: parseParams(m[5] ?? ''),
  };
}

/** A host for a URI or Via: IPv6 literals in brackets. */
export function hostPart(host: string, port: number | null): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return port === null ? h : `${h}:${port}`;
}

/** Parses one Via value (`SIP/2.0/UDP host:port;branch=…`). */
export function parseVia(value: string): Via {
  const m = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+(\[[^\]]+\]|[^:;\s]+)(?::(\d+))?\s*(.*)$/i.exec(value.trim());
  if (!m) throw new Error(`bad Via ${JSON.stringify(value)}`);
  return {
    transport: m[1]!.toUpperCase(),
    host: m[2]!.replace(/^\[(.*)\]$/, '$1'),
    port: m[3] ? Number(m[3]) : null,
    params: parseParams(m[4] ?? ''),
  };
}
