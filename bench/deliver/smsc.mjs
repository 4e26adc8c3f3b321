// A small standalone SMSC (SMPP 3.4, on the `smpp` package's server) to try Hellio against SMPP
// without a contract with a network:
//
//   npm run smsc                                   # 127.0.0.1:2775, system_id hellio, password secret
//   node bench/deliver/smsc.mjs --port 2775 --system-id hellio --password secret --receipt-delay-ms 500
//   node bench/deliver/smsc.mjs --no-receipts --quiet
//
// and point Hellio at it: HELLIO_SMPP_URL=smpp://hellio:secret@127.0.0.1:2775 npm start
//
// It takes bind_transceiver (also bind_transmitter / bind_receiver) with those credentials,
// answers every submit_sm with a fresh message id, and — when the submit asks for a receipt
// (registered_delivery bit 0) — sends a DELIVRD deliver_sm receipt after the delay: esm_class 4,
// the usual "id:… sub:001 dlvrd:001 submit date:… done date:… stat:DELIVRD err:000 text:…"
// text, and the receipted_message_id / message_state TLVs. A receipt the client refuses (non-zero
// deliver_sm_resp) is resent up to 5 times, a second apart, as SMSCs do. enquire_link is answered.
// One line per submit (destination, text decoded for data_coding 0 and 8, UDH stripped) unless
// --quiet. Messages go nowhere.
//
// As a child process (fork) it reports to its parent: {type:'listening', port}, {type:'stats',
// …} a few times a second while counts change, and {type:'reached', …} once `answered` reaches a
// target set with {cmd:'watch', target}; {cmd:'reset'} zeroes the counters and drops receipts
// not yet sent, {cmd:'stats'} asks for them now. It exits when the parent goes away.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import smpp from 'smpp';

const { values: opts } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.SMSC_PORT ?? '2775' },
    host: { type: 'string', default: process.env.SMSC_HOST ?? '127.0.0.1' },
    'system-id': { type: 'string', default: process.env.SMSC_SYSTEM_ID ?? 'hellio' },
    password: { type: 'string', default: process.env.SMSC_PASSWORD ?? 'secret' },
    'receipt-delay-ms': { type: 'string', default: process.env.SMSC_RECEIPT_DELAY_MS ?? '500' },
    'no-receipts': { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (opts.help) {
  process.stdout.write(
    'usage: node bench/deliver/smsc.mjs [--port 2775] [--host 127.0.0.1] [--system-id hellio --password secret]\n' +
      '                                  [--receipt-delay-ms 500] [--no-receipts] [--quiet]\n',
  );
  process.exit(0);
}

const port = Number(opts.port);
const receiptDelayMs = Number(opts['receipt-delay-ms']);
if (!Number.isInteger(port) || port < 0 || port > 65535) fatal(`--port must be 0–65535 (got ${opts.port})`);
if (!Number.isFinite(receiptDelayMs) || receiptDelayMs < 0) fatal(`--receipt-delay-ms must be ≥ 0 (got ${opts['receipt-delay-ms']})`);
const receiptsOn = !opts['no-receipts'];
const quiet = opts.quiet;
const isChild = typeof process.send === 'function';

const { errors } = smpp;
const ESME_ROK = 0;
const RECEIPT_RETRIES = 5;
const RECEIPT_RETRY_MS = 1_000;
const MESSAGE_STATE_DELIVERED = 2;

// Ids unique across restarts of this SMSC, so a client's stored ids never collide.
const idPrefix = randomBytes(3).toString('hex');
let idSeq = 0;

const stats = newStats();
function newStats() {
  return {
    binds: 0,
    bind_failures: 0,
    submits: 0,
    answered: 0,
    refused: 0,
    receipts_sent: 0,
    receipts_acked: 0,
    receipts_refused: 0,
    receipts_dropped: 0,
    first_bind_at: null,
    first_submit_at: null,
    last_answer_at: null,
  };
}

/** Bound sessions that can take deliver_sm (transceiver, receiver), by system_id. */
const receivers = new Set();
/** Receipts waiting for a bound receiver (none at the time they were due). */
let parked = [];
const timers = new Set();

const now = () => performance.timeOrigin + performance.now();

const server = smpp.createServer((session) => {
  const socket = session.socket;
  // Answers to one read's worth of PDUs leave in one write instead of one syscall each.
  socket.prependListener('readable', () => {
    if (socket.writableCorked) return;
    socket.cork();
    process.nextTick(() => socket.uncork());
  });
  const peer = `${socket.remoteAddress}:${socket.remotePort}`;
  let bound = null; // 'transceiver' | 'transmitter' | 'receiver'

  session.on('error', (err) => log(`${peer} connection error: ${err.message}`));
  session.on('close', () => {
    receivers.delete(session);
    if (bound) log(`${peer} disconnected (${bound})`);
  });

  for (const kind of ['transceiver', 'transmitter', 'receiver']) {
    session.on(`bind_${kind}`, (pdu) => {
      if (bound) {
        session.send(pdu.response({ command_status: errors.ESME_RALYBND }));
        return;
      }
      if (pdu.system_id !== opts['system-id'] || pdu.password !== opts.password) {
        stats.bind_failures++;
        const status = pdu.system_id !== opts['system-id'] ? errors.ESME_RINVSYSID : errors.ESME_RINVPASWD;
        log(`${peer} bind_${kind} refused for system_id "${pdu.system_id}" (wrong ${status === errors.ESME_RINVSYSID ? 'system_id' : 'password'})`);
        session.send(pdu.response({ command_status: status }));
        return;
      }
      bound = kind;
      stats.binds++;
      stats.first_bind_at ??= now();
      session.send(pdu.response({ system_id: 'hellio-smsc' }));
      log(`${peer} bound as ${kind} (system_id ${pdu.system_id})`);
      if (kind !== 'transmitter') {
        receivers.add(session);
        flushParked();
      }
      report();
    });
  }

  session.on('enquire_link', (pdu) => session.send(pdu.response()));

  session.on('unbind', (pdu) => {
    receivers.delete(session);
    log(`${peer} unbind`);
    bound = null;
    session.send(pdu.response(), () => session.close());
  });

  session.on('submit_sm', (pdu) => {
    stats.submits++;
    stats.first_submit_at ??= now();
    if (bound !== 'transceiver' && bound !== 'transmitter') {
      stats.refused++;
      session.send(pdu.response({ command_status: errors.ESME_RINVBNDSTS }));
      return;
    }
    const messageId = `${idPrefix}${(++idSeq).toString(16).padStart(8, '0')}`;
    session.send(pdu.response({ message_id: messageId }));
    stats.answered++;
    stats.last_answer_at = now();
    if (watchTarget !== null && stats.answered >= watchTarget) reached();

    const wantsReceipt = receiptsOn && (pdu.registered_delivery & 0x03) === 1;
    if (quiet && !wantsReceipt) return;
    const { text, part } = decodeBody(pdu);
    if (!quiet) {
      log(
        `submit ${messageId} from ${pdu.source_addr} to ${pdu.destination_addr} dc=${pdu.data_coding ?? 0}` +
          `${part ? ` part ${part}` : ''}: ${JSON.stringify(text)}`,
      );
    }
    if (wantsReceipt) {
      const receipt = {
        messageId,
        attempts: 0,
        systemId: opts['system-id'],
        submittedAt: new Date(),
        source: { addr: pdu.source_addr, ton: pdu.source_addr_ton, npi: pdu.source_addr_npi },
        dest: { addr: pdu.destination_addr, ton: pdu.dest_addr_ton, npi: pdu.dest_addr_npi },
        text: typeof text === 'string' ? text : '',
        preferred: session,
      };
      later(receiptDelayMs, () => sendReceipt(receipt));
    }
  });

  // Anything else a client may send (query_sm, cancel_sm …) is not implemented.
  session.on('pdu', (pdu) => {
    if (pdu.isResponse() || HANDLED.has(pdu.command)) return;
    session.send(pdu.response({ command_status: errors.ESME_RINVCMDID }));
  });
});

const HANDLED = new Set(['bind_transceiver', 'bind_transmitter', 'bind_receiver', 'enquire_link', 'unbind', 'submit_sm']);

/** The text as the handset would show it; the part "2/3" when a concatenation UDH is present. */
function decodeBody(pdu) {
  let body = pdu.short_message;
  const empty = !body || (Buffer.isBuffer(body) ? body.length === 0 : !body.message || body.message.length === 0);
  if (empty && pdu.message_payload) body = pdu.message_payload;
  if (!body) return { text: '', part: null };
  // The package decodes data_coding 0 (GSM 03.38, one septet per octet), 3 (Latin-1) and 8
  // (UCS-2) and splits the UDH off when esm_class has UDHI; other codings stay bytes.
  const message = Buffer.isBuffer(body) ? body : body.message;
  const udh = Buffer.isBuffer(body) ? [] : body.udh ?? [];
  let part = null;
  for (const ie of udh) {
    // 00: 8-bit reference (ref, total, seq); 08: 16-bit reference.
    if (ie[0] === 0x00 && ie.length >= 5) part = `${ie[4]}/${ie[3]} ref ${ie[2]}`;
    if (ie[0] === 0x08 && ie.length >= 6) part = `${ie[5]}/${ie[4]} ref ${ie.readUInt16BE(2)}`;
  }
  const text = typeof message === 'string' ? message : `0x${Buffer.from(message).toString('hex')}`;
  return { text, part };
}

function sendReceipt(r) {
  let session = r.preferred;
  if (!receivers.has(session)) session = [...receivers][0];
  if (!session) {
    // No client bound to take it: hold it until one binds, as an SMSC queues receipts.
    parked.push(r);
    return;
  }
  r.attempts++;
  const done = new Date();
  const text =
    `id:${r.messageId} sub:001 dlvrd:001 submit date:${smppDate(r.submittedAt)} done date:${smppDate(done)} ` +
    `stat:DELIVRD err:000 text:${r.text.slice(0, 20).replace(/[^\x20-\x7e]/g, '.')}`;
  const written = session.deliver_sm(
    {
      source_addr_ton: r.dest.ton,
      source_addr_npi: r.dest.npi,
      source_addr: r.dest.addr,
      dest_addr_ton: r.source.ton,
      dest_addr_npi: r.source.npi,
      destination_addr: r.source.addr,
      esm_class: 0x04,
      data_coding: 0,
      // Receipt text is ASCII on the wire.
      short_message: Buffer.from(text, 'ascii'),
      receipted_message_id: r.messageId,
      message_state: MESSAGE_STATE_DELIVERED,
    },
    (resp) => {
      if (resp.command_status === ESME_ROK) {
        stats.receipts_acked++;
        if (!quiet) log(`receipt ${r.messageId} DELIVRD acknowledged`);
        return;
      }
      stats.receipts_refused++;
      if (r.attempts <= RECEIPT_RETRIES) {
        if (!quiet) log(`receipt ${r.messageId} refused (command_status 0x${resp.command_status.toString(16)}), resending in ${RECEIPT_RETRY_MS} ms`);
        later(RECEIPT_RETRY_MS, () => sendReceipt(r));
      } else {
        stats.receipts_dropped++;
        log(`receipt ${r.messageId} refused ${r.attempts} times, dropped`);
      }
    },
  );
  if (written) stats.receipts_sent++;
  else parked.push(r);
}

function flushParked() {
  const waiting = parked;
  parked = [];
  for (const r of waiting) sendReceipt(r);
}

function later(ms, fn) {
  const t = setTimeout(() => {
    timers.delete(t);
    fn();
  }, ms);
  timers.add(t);
}

/** YYMMDDhhmm, as receipt texts carry dates. */
function smppDate(d) {
  const p = (n) => String(n).padStart(2, '0');
  return `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}`;
}

function log(line) {
  if (quiet) return;
  process.stdout.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`);
}

function fatal(msg) {
  process.stderr.write(`smsc: ${msg}\n`);
  process.exit(2);
}

// ---- reporting to a parent process ----

let watchTarget = null;
let lastReported = '';

function snapshot() {
  return { ...stats, receipts_pending: timers.size + parked.length, at: now() };
}

function report(force = false) {
  if (!isChild || !process.connected) return;
  const s = snapshot();
  const key = `${s.binds}:${s.submits}:${s.answered}:${s.receipts_acked}:${s.receipts_refused}`;
  if (!force && key === lastReported) return;
  lastReported = key;
  process.send({ type: 'stats', ...s });
}

function reached() {
  const target = watchTarget;
  watchTarget = null;
  if (isChild && process.connected) process.send({ type: 'reached', target, ...snapshot() });
}

if (isChild) {
  setInterval(report, 200).unref();
  process.on('message', (m) => {
    if (m?.cmd === 'reset') {
      // Receipts still due belong to the previous client; a new one would only see unknown ids.
      for (const t of timers) clearTimeout(t);
      timers.clear();
      parked = [];
      Object.assign(stats, newStats());
      watchTarget = null;
      lastReported = '';
      process.send({ type: 'reset' });
    } else if (m?.cmd === 'watch') {
      watchTarget = m.target;
      if (stats.answered >= watchTarget) reached();
    } else if (m?.cmd === 'stats') {
      report(true);
    }
  });
  process.on('disconnect', () => process.exit(0));
}

server.on('error', (err) => fatal(`cannot listen on ${opts.host}:${port}: ${err.message}`));
server.listen(port, opts.host, () => {
  const actual = server.address().port;
  if (isChild) process.send({ type: 'listening', port: actual });
  if (!quiet || !isChild) {
    process.stdout.write(
      `SMSC listening on ${opts.host}:${actual} (system_id ${opts['system-id']}); ` +
        `${receiptsOn ? `DELIVRD receipts after ${receiptDelayMs} ms` : 'no receipts'}\n` +
        `  HELLIO_SMPP_URL=smpp://${encodeURIComponent(opts['system-id'])}:${encodeURIComponent(opts.password)}@${opts.host}:${actual}\n`,
    );
  }
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const t of timers) clearTimeout(t);
    for (const s of [...server.sessions]) s.destroy();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 500).unref();
  });
}
