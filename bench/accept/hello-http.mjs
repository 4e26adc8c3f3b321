// The floor under every Node HTTP server: bare node:http answering the same JSON as hello.mjs.
import { createServer } from 'node:http';

const body = JSON.stringify({ hello: 'world' });
createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}).listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.('ready'));
