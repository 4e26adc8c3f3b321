// Preloaded into `hellio worker` by BENCH_SMTP_NODELAY=1 (node --import): turns Nagle's algorithm
// off on every socket the process opens, as an experiment for what TCP_NODELAY on the SMTP
// pool's connections would change. nodemailer leaves Nagle on, and its last small write of a
// message then waits for the server's delayed ACK (~40 ms on Linux). The worker's other sockets
// (pg, SMPP) already set it.
import net from 'node:net';

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  this.setNoDelay(true);
  return connect.apply(this, args);
};
