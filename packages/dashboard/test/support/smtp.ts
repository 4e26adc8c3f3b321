/**
 * Sends one message over plain SMTP, as a mail server delivering to Hellio's MX would: EHLO, MAIL
 * FROM, RCPT TO, DATA. Answers the server's last reply; throws on any reply outside 2xx/3xx.
 */
import { connect } from 'node:net';

export async function deliverMail(port: number, mail: { from: string; to: string; data: string }): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  socket.setEncoding('utf8');
  let buffered = '';
  const waiting: Array<(line: string) => void> = [];
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    // A reply is complete at a line "NNN text" (a space after the code; "NNN-" continues).
    for (let m = /^(\d{3}) .*\r\n/m.exec(buffered); m; m = /^(\d{3}) .*\r\n/m.exec(buffered)) {
      const end = m.index + m[0].length;
      const reply = buffered.slice(0, end);
      buffered = buffered.slice(end);
      waiting.shift()?.(reply);
    }
  });
  const reply = () => new Promise<string>((resolve) => waiting.push(resolve));
  const step = async (line: string | null) => {
    const next = reply();
    if (line !== null) socket.write(`${line}\r\n`);
    const answer = await next;
    if (!/^[23]/.test(answer)) throw new Error(`SMTP ${line ?? '(greeting)'} → ${answer.trim()}`);
    return answer;
  };
  try {
    await step(null);
    await step('EHLO sender.test');
    await step(`MAIL FROM:<${mail.from}>`);
    await step(`RCPT TO:<${mail.to}>`);
    await step('DATA');
    // Dot-stuffing: a line that starts with "." gets another.
    return await step(`${mail.data.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..')}\r\n.`);
  } finally {
    socket.end('QUIT\r\n');
  }
}
