import type { AddressInfo } from 'node:net';
import smpp, { type PDU, type Session } from 'smpp';

/** A submit_sm as it arrived on the wire. */
export interface ReceivedSubmit {
  sourceAddr: string;
  sourceTon: number;
  sourceNpi: number;
  destAddr: string;
  destTon: number;
  destNpi: number;
  esmClass: number;
  /** validity_period as written ("" when the SMSC's default applies). */
  validityPeriod: string;
  registeredDelivery: number;
  dataCoding: number;
  /** short_message exactly as sent: the UDH (if any) and the encoded text. */
  shortMessage: Buffer;
  /** The UDH including its length octet, when esm_class has UDHI set. */
  udh: Buffer | null;
  /** short_message after the UDH. */
  payload: Buffer;
  /** The id we answered with, when accepted. */
  messageId: string | null;
  status: number;
}

/** What to do with one submit_sm. Default: accept at once. */
export interface SubmitDecision {
  /** command_status to answer with (0 = accept). */
  status?: number;
  /** Delay the submit_sm_resp, which keeps the submit outstanding meanwhile. */
  delayMs?: number;
  /** Never answer (until the connection goes). */
  hold?: boolean;
}

export interface ReceiptOptions {
  /** Also send the receipted_message_id and message_state TLVs. */
  tlv?: boolean;
  /** The id the text carries, when it should differ from the TLV's (some SMSCs reformat it). */
  textId?: string;
}

export interface TestSmsc {
  readonly url: string;
  readonly port: number;
  /** Every submit_sm received, in order. */
  readonly submits: ReceivedSubmit[];
  readonly binds: Array<{ systemId: string; ok: boolean }>;
  readonly unbinds: number;
  /** Most submit_sm outstanding (received, not yet answered) at any moment. */
  readonly maxInFlight: number;
  readonly inFlight: number;
  /** Decides the answer to each submit_sm; replace at will. */
  onSubmit: (submit: ReceivedSubmit, index: number) => SubmitDecision | undefined;
  /** When false, enquire_link goes unanswered, as over a half-dead link. */
  answerEnquireLink: boolean;
  /** Sends a delivery receipt on the bound session; resolves with the deliver_sm_resp status. */
  sendReceipt(messageId: string, stat: string, opts?: ReceiptOptions): Promise<number>;
  /** Sends a mobile-originated deliver_sm (no receipt); resolves with the response status. */
  sendMo(text: string): Promise<number>;
  /** Sends any deliver_sm (an MO with a UDH, UCS-2, SAR TLVs …) on the bound session; resolves with the response status. */
  deliver(options: Parameters<Session['deliver_sm']>[0]): Promise<number>;
  /** Cuts every connection without an unbind, as a crashed SMSC or a network failure would. */
  dropConnections(): void;
  /** Asks the bound client to unbind, as an SMSC going down for maintenance does; resolves with the unbind_resp status. */
  requestUnbind(): Promise<number>;
  close(): Promise<void>;
}

/** An SMSC on the `smpp` package's server, on 127.0.0.1 and a random port. */
export async function startSmsc(creds: { systemId: string; password: string }): Promise<TestSmsc> {
  const submits: ReceivedSubmit[] = [];
  const binds: Array<{ systemId: string; ok: boolean }> = [];
  const timers = new Set<NodeJS.Timeout>();
  let unbinds = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let nextId = 1;
  let bound: Session | null = null;

  const server = smpp.createServer((session) => {
    let isBound = false;
    let pending = 0;
    const lastReads = tapReads(session);
    session.on('error', () => {
      // A client that disconnects abruptly resets the socket; nothing to do.
    });
    session.on('close', () => {
      inFlight -= pending;
      pending = 0;
      if (bound === session) bound = null;
    });

    session.on('bind_transceiver', (pdu: PDU) => {
      const ok = pdu.system_id === creds.systemId && pdu.password === creds.password;
      binds.push({ systemId: pdu.system_id ?? '', ok });
      if (!ok) {
        session.send(pdu.response({ command_status: smpp.errors.ESME_RINVPASWD }));
        return;
      }
      isBound = true;
      bound = session;
      session.send(pdu.response({ system_id: 'hellio-test-smsc' }));
    });

    session.on('enquire_link', (pdu: PDU) => {
      if (smsc.answerEnquireLink) session.send(pdu.response());
    });

    session.on('unbind', (pdu: PDU) => {
      unbinds++;
      isBound = false;
      session.send(pdu.response(), () => session.close());
    });

    session.on('submit_sm', (pdu: PDU) => {
      const raw = Buffer.concat(lastReads());
      if (raw.length !== pdu.command_length) throw new Error('test SMSC lost track of the raw PDU bytes');
      const submit = parseSubmitSm(raw);
      const index = submits.length;
      submits.push(submit);
      if (!isBound) {
        submit.status = smpp.errors.ESME_RINVBNDSTS!;
        session.send(pdu.response({ command_status: submit.status }));
        return;
      }
      const decision = smsc.onSubmit(submit, index) ?? {};
      submit.status = decision.status ?? 0;
      if (submit.status === 0) submit.messageId = `m_${(nextId++).toString(16).padStart(6, '0')}`;
      pending++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (decision.hold) return;
      const answer = () => {
        if (session.socket.destroyed) return;
        pending--;
        inFlight--;
        session.send(
          pdu.response(submit.status === 0 ? { message_id: submit.messageId! } : { command_status: submit.status }),
        );
      };
      if (decision.delayMs) {
        const t = setTimeout(() => {
          timers.delete(t);
          answer();
        }, decision.delayMs);
        timers.add(t);
      } else {
        answer();
      }
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;

  const deliver = (options: Parameters<Session['deliver_sm']>[0]) =>
    new Promise<number>((resolve, reject) => {
      const session = bound;
      if (!session) return reject(new Error('test SMSC: no bound session to deliver on'));
      session.deliver_sm(options, (resp) => resolve(resp.command_status));
    });

  const smsc: TestSmsc = {
    url: `smpp://${encodeURIComponent(creds.systemId)}:${encodeURIComponent(creds.password)}@127.0.0.1:${port}`,
    port,
    submits,
    binds,
    get unbinds() {
      return unbinds;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    get inFlight() {
      return inFlight;
    },
    onSubmit: () => undefined,
    answerEnquireLink: true,

    sendReceipt(messageId, stat, opts = {}) {
      const submit = submits.find((s) => s.messageId === messageId);
      const text =
        `id:${opts.textId ?? messageId} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} ` +
        `submit date:2501011200 done date:2501011201 stat:${stat} err:000 text:Hello`;
      return deliver({
        source_addr: submit?.destAddr ?? '',
        destination_addr: submit?.sourceAddr ?? '',
        esm_class: 0x04,
        data_coding: 0,
        // Receipts are plain ASCII on the wire, whatever data_coding says.
        short_message: Buffer.from(text, 'ascii'),
        ...(opts.tlv && { receipted_message_id: messageId, message_state: MESSAGE_STATE[stat] ?? 7 }),
      });
    },

    deliver,

    sendMo(text) {
      return deliver({ source_addr: '447700900999', destination_addr: 'Hellio', esm_class: 0, data_coding: 0, short_message: Buffer.from(text, 'ascii') });
    },

    requestUnbind() {
      return new Promise<number>((resolve, reject) => {
        const session = bound;
        if (!session) return reject(new Error('test SMSC: no bound session to unbind'));
        session.unbind({}, (resp) => resolve(resp.command_status));
      });
    },

    dropConnections() {
      for (const session of [...server.sessions]) session.destroy();
    },

    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of [...server.sessions]) session.destroy();
      await closed;
    },
  };
  return smsc;
}

const MESSAGE_STATE: Record<string, number> = { ENROUTE: 1, DELIVRD: 2, EXPIRED: 3, DELETED: 4, UNDELIV: 5, ACCEPTD: 6, UNKNOWN: 7, REJECTD: 8 };

/**
 * The `smpp` package hands over PDUs already decoded (short_message turned into text through its
 * own tables), which would hide exactly the bytes under test. It reads each PDU as two
 * socket.read() calls (the length, then the rest), synchronously before emitting it, so the last
 * two reads are the raw PDU.
 */
function tapReads(session: Session): () => Buffer[] {
  const socket = session.socket;
  const read = socket.read.bind(socket);
  const recent: Buffer[] = [];
  socket.read = ((size?: number) => {
    const chunk: unknown = read(size);
    if (Buffer.isBuffer(chunk)) {
      recent.push(chunk);
      if (recent.length > 2) recent.shift();
    }
    return chunk;
  }) as typeof socket.read;
  return () => recent;
}

function parseSubmitSm(raw: Buffer): ReceivedSubmit {
  let at = 16;
  const cstring = () => {
    const end = raw.indexOf(0, at);
    const s = raw.toString('latin1', at, end);
    at = end + 1;
    return s;
  };
  const u8 = () => raw[at++]!;
  cstring(); // service_type
  const sourceTon = u8();
  const sourceNpi = u8();
  const sourceAddr = cstring();
  const destTon = u8();
  const destNpi = u8();
  const destAddr = cstring();
  const esmClass = u8();
  u8(); // protocol_id
  u8(); // priority_flag
  cstring(); // schedule_delivery_time
  const validityPeriod = cstring();
  const registeredDelivery = u8();
  u8(); // replace_if_present_flag
  const dataCoding = u8();
  u8(); // sm_default_msg_id
  const smLength = u8();
  const shortMessage = Buffer.from(raw.subarray(at, at + smLength));
  const hasUdh = (esmClass & 0x40) !== 0 && shortMessage.length > 0;
  const udhLength = hasUdh ? shortMessage[0]! + 1 : 0;
  return {
    sourceAddr,
    sourceTon,
    sourceNpi,
    destAddr,
    destTon,
    destNpi,
    esmClass,
    validityPeriod,
    registeredDelivery,
    dataCoding,
    shortMessage,
    udh: hasUdh ? shortMessage.subarray(0, udhLength) : null,
    payload: shortMessage.subarray(udhLength),
    messageId: null,
    status: 0,
  };
}
