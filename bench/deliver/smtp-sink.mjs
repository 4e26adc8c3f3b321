// An SMTP server (smtp-server) that accepts every message and throws it away: the far end of the
// email half of bench/deliver. Plain SMTP, no STARTTLS, no AUTH.
//
//   node bench/deliver/smtp-sink.mjs [--port 2525] [--host 127.0.0.1] [--quiet]
//
// As a child process (fork) it reports like smsc.mjs: {type:'listening', port}, {type:'stats', …}
// while counts change, {type:'reached', …} once `accepted` reaches the target of
// {cmd:'watch', target}; {cmd:'reset'} zeroes the counters. It exits when the parent goes away.
import { parseArgs } from 'node:util';
import { SMTPServer } from 'smtp-server';

const { values: opts } = parseArgs({
  options: {
    port: { type: 'string', default: '2525' },
    host: { type: 'string', default: '127.0.0.1' },
    quiet: { type: 'boolean', default: false },
  },
});
const isChild = typeof process.send === 'function';
const now = () => performance.timeOrigin + performance.now();

const newStats = () => ({ connections: 0, accepted: 0, bytes: 0, first_connect_at: null, last_message_at: null });
const stats = newStats();
let watchTarget = null;
let lastReported = '';

const server = new SMTPServer({
  secure: false,
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  disableReverseLookup: true,
  logger: false,
  banner: 'hellio bench sink',
  onConnect(_session, callback) {
    stats.connections++;
    stats.first_connect_at ??= now();
    callback();
  },
  onData(stream, session, callback) {
    let bytes = 0;
    stream.on('data', (chunk) => {
      bytes += chunk.length;
    });
    stream.on('end', () => {
      stats.accepted++;
      stats.bytes += bytes;
      stats.last_message_at = now();
      if (!opts.quiet) {
        const to = session.envelope.rcptTo.map((r) => r.address).join(', ');
        process.stdout.write(`${new Date().toISOString().slice(11, 23)} message from ${session.envelope.mailFrom?.address} to ${to} (${bytes} bytes)\n`);
      }
      if (watchTarget !== null && stats.accepted >= watchTarget) reached();
      callback(null, 'OK: discarded');
    });
  },
});
server.on('error', (err) => process.stderr.write(`smtp-sink: ${err.message}\n`));

function report(force = false) {
  if (!isChild || !process.connected) return;
  const key = `${stats.connections}:${stats.accepted}`;
  if (!force && key === lastReported) return;
  lastReported = key;
  process.send({ type: 'stats', ...stats, at: now() });
}

function reached() {
  const target = watchTarget;
  watchTarget = null;
  if (isChild && process.connected) process.send({ type: 'reached', target, ...stats, at: now() });
}

if (isChild) {
  setInterval(report, 200).unref();
  process.on('message', (m) => {
    if (m?.cmd === 'reset') {
      Object.assign(stats, newStats());
      watchTarget = null;
      lastReported = '';
      process.send({ type: 'reset' });
    } else if (m?.cmd === 'watch') {
      watchTarget = m.target;
      if (stats.accepted >= watchTarget) reached();
    } else if (m?.cmd === 'stats') {
      report(true);
    }
  });
  process.on('disconnect', () => process.exit(0));
}

server.listen(Number(opts.port), opts.host, () => {
  const { port } = server.server.address();
  if (isChild) process.send({ type: 'listening', port });
  if (!opts.quiet) process.stdout.write(`SMTP sink listening on ${opts.host}:${port}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 500).unref();
  });
}
