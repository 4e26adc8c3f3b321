/**
 * An authoritative DNS server for tests (dns2 over UDP on 127.0.0.1, a random port) and a
 * resolver that asks it, shaped like node's dns.promises.resolve so libraries that take a
 * `resolver` option (mailauth) can be pointed at it.
 */
import DNS from 'dns2';

export interface TestRecord {
  type: 'A' | 'AAAA' | 'TXT' | 'CNAME' | 'MX';
  name: string;
  /** TXT: the whole text (split into 255-byte strings on the wire); MX: "<preference> <host>" ("0 ." is a null MX). */
  value: string;
}

export type TestResolver = (name: string, type: string) => Promise<unknown[]>;

export interface DnsTestServer {
  port: number;
  /** Adds records; they are answered from the next query on. */
  add(...records: TestRecord[]): void;
  /** Replaces every record of this name and type. */
  replace(name: string, type: TestRecord['type'], ...values: string[]): void;
  resolver: TestResolver;
  close(): Promise<void>;
}

const { Packet } = DNS;
const NXDOMAIN = 3;

function key(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** Splits a TXT value into character-strings of at most 255 bytes, as a DNS host does. */
function characterStrings(text: string): Buffer[] {
  const bytes = Buffer.from(text, 'utf8');
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += 255) out.push(bytes.subarray(i, i + 255));
  return out.length ? out : [Buffer.alloc(0)];
}

function dnsError(code: 'ENOTFOUND' | 'ENODATA' | 'ETIMEOUT', name: string, type: string): Error {
  const err = new Error(`query${type} ${code} ${name}`) as Error & { code: string; hostname: string };
  err.code = code;
  err.hostname = name;
  return err;
}

export async function startDnsServer(records: TestRecord[] = []): Promise<DnsTestServer> {
  let zone: TestRecord[] = [...records];
  const server = DNS.createServer({
    udp: { type: 'udp4' },
    handle: (request, send) => {
      const response = Packet.createResponseFromRequest(request);
      response.header.aa = 1;
      const question = request.questions[0];
      if (question) {
        const atName = zone.filter((r) => key(r.name) === key(question.name));
        if (atName.length === 0) response.header.rcode = NXDOMAIN;
        for (const r of atName) {
          if (Packet.TYPE[r.type] !== question.type && question.type !== Packet.TYPE.ANY) continue;
          const base = { name: question.name, type: Packet.TYPE[r.type], class: Packet.CLASS.IN, ttl: 60 };
          if (r.type === 'TXT') {
            response.answers.push({ ...base, data: characterStrings(r.value) });
          } else if (r.type === 'A' || r.type === 'AAAA') {
            response.answers.push({ ...base, address: r.value });
          } else if (r.type === 'CNAME') {
            response.answers.push({ ...base, domain: r.value });
          } else {
            const [pref, host] = r.value.split(/\s+/);
            // The root name "." goes on the wire as the empty name (RFC 7505's null MX).
            response.answers.push({ ...base, priority: Number(pref), exchange: host === '.' ? '' : (host ?? '') });
          }
        }
      }
      void send(response);
    },
  });
  const { udp } = await server.listen({ udp: { port: 0, address: '127.0.0.1', type: 'udp4' } });
  const port = udp!.port;
  const client = new DNS({ nameServers: ['127.0.0.1'], port });

  const resolver: TestResolver = async (name, type) => {
    let timer: NodeJS.Timeout | undefined;
    // dns2's UDP client has no timeout of its own; a lost datagram would hang the test instead of failing it.
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(dnsError('ETIMEOUT', name, type)), 3000);
    });
    try {
      const res = await Promise.race([client.resolve(name, type), timeout]);
      if (res.header.rcode === NXDOMAIN) throw dnsError('ENOTFOUND', name, type);
      const answers = res.answers.filter((a) => a.type === Packet.TYPE[type]);
      if (answers.length === 0) throw dnsError('ENODATA', name, type);
      switch (type) {
        case 'TXT':
          // node gives each record's character-strings as an array; dns2 has already joined
          // them, which is what every consumer does with them anyway.
          return answers.map((a) => [typeof a.data === 'string' ? a.data : (a.data ?? []).join('')]);
        case 'MX':
          return answers.map((a) => ({ exchange: a.exchange, priority: a.priority }));
        case 'CNAME':
          return answers.map((a) => a.domain);
        default:
          return answers.map((a) => a.address);
      }
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    port,
    add: (...more) => {
      zone.push(...more);
    },
    replace: (name, type, ...values) => {
      zone = zone.filter((r) => !(key(r.name) === key(name) && r.type === type));
      zone.push(...values.map((value) => ({ type, name, value })));
    },
    resolver,
    close: () => server.close(),
  };
}
