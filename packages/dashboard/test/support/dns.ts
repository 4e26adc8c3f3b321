/**
 * A small authoritative DNS server on UDP for the tests: it answers TXT questions from a table the
 * test fills in ("publishing" a record) and NXDOMAIN for everything else, so that domain
 * verification runs through the server's real resolver without touching the internet.
 */
import { createSocket } from 'node:dgram';

/** A running test DNS server: its `host:port` for HELLIO_DNS_SERVERS, and its TXT table. */
export interface TestDns {
  server: string;
  /** Publishes TXT records under `name` (replacing what was there). */
  publish(name: string, ...values: string[]): void;
  stop(): Promise<void>;
}

const TXT = 16;

/** Reads the question's name (labels) starting at byte 12; answers the name and the offset after it. */
function questionName(msg: Buffer): { name: string; end: number } {
  const labels: string[] = [];
  let at = 12;
  while (msg[at]! !== 0) {
    const len = msg[at]!;
    labels.push(msg.subarray(at + 1, at + 1 + len).toString('latin1'));
    at += 1 + len;
  }
  return { name: labels.join('.').toLowerCase(), end: at + 1 };
}

/** A TXT record's data: the value cut into character-strings of at most 255 bytes. */
function txtData(value: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length || i === 0; i += 255) {
    const chunk = bytes.subarray(i, i + 255);
    parts.push(Buffer.from([chunk.length]), chunk);
  }
  return Buffer.concat(parts);
}

/** Starts the server on 127.0.0.1 and a free port. */
export async function startDns(): Promise<TestDns> {
  const records = new Map<string, string[]>();
  const socket = createSocket('udp4');
  socket.on('message', (msg, peer) => {
    if (msg.length < 12) return;
    const { name, end } = questionName(msg);
    const qtype = msg.readUInt16BE(end);
    const question = msg.subarray(12, end + 4);
    const values = records.get(name.replace(/\.$/, ''));
    const answers = values && qtype === TXT ? values : [];
    const header = Buffer.alloc(12);
    header.writeUInt16BE(msg.readUInt16BE(0), 0); // the query's id
    // QR, AA, RD copied, RA; NXDOMAIN when the name holds nothing at all.
    header.writeUInt16BE(0x8400 | (msg.readUInt16BE(2) & 0x0100) | 0x0080 | (values ? 0 : 3), 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    const rrs = answers.map((v) => {
      const data = txtData(v);
      const rr = Buffer.alloc(12);
      rr.writeUInt16BE(0xc00c, 0); // a pointer to the question's name
      rr.writeUInt16BE(TXT, 2);
      rr.writeUInt16BE(1, 4);
      rr.writeUInt32BE(5, 6);
      rr.writeUInt16BE(data.length, 10);
      return Buffer.concat([rr, data]);
    });
    socket.send(Buffer.concat([header, question, ...rrs]), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return {
    server: `127.0.0.1:${socket.address().port}`,
    publish(name, ...values) {
      records.set(name.toLowerCase().replace(/\.$/, ''), values);
    },
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
