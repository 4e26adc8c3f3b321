// A webhook receiver for bench/webhooks, in its own process so that it never shares a core's
// time slice with what is measured. Answers 200 to every POST (after --delay-ms, if given),
// counts them, and tells its parent (IPC) when `target` requests have arrived, with the time of
// the first and the last. Messages from the parent: {cmd: 'target', n}, {cmd: 'reset'}.
import { createServer } from 'node:http';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const delayMs = Number(arg('delay-ms', '0'));
const now = () => performance.timeOrigin + performance.now();

let count = 0;
let first = null;
let target = Infinity;
const ids = new Set();

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const answer = () => {
      count++;
      first ??= now();
      ids.add(req.headers['webhook-id']);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      if (count === target) process.send?.({ type: 'reached', count, unique: ids.size, first, last: now() });
    };
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
});
server.keepAliveTimeout = 60_000;

process.on('message', (m) => {
  if (m.cmd === 'target') {
    target = m.n;
    process.send?.({ type: 'target' });
  } else if (m.cmd === 'reset') {
    count = 0;
    first = null;
    target = Infinity;
    ids.clear();
    process.send?.({ type: 'reset' });
  }
});

server.listen(0, '127.0.0.1', () => process.send?.({ type: 'listening', port: server.address().port }));
