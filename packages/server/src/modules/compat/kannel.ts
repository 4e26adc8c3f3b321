import type { MessageRow } from '../../store/repos/messages.ts';

/**
 * Kannel's sendsms over Hellio's SMS (docs/compat-kannel.md): its delivery reports (dlr-mask,
 * dlr-url and the URL's escapes).
 */

/** dlr-mask's bits: 1 delivered to the phone, 2 not delivered to it, 8 delivered to the SMSC, 16 not delivered to the SMSC. */
export function dlrMaskBit(status: string): number | null {
  switch (status) {
    case 'delivered':
      return 1;
    case 'undelivered':
      return 2;
    case 'sent':
      return 8;
    case 'failed':
    case 'bounced':
      return 16;
    default:
      return null;
  }
}

// The SMSC's reply that %A stands for, as Kannel's SMPP driver reports it.
const ANSWERS: Record<number, string> = { 1: 'DELIVRD', 2: 'UNDELIV', 8: 'ACK/', 16: 'NACK/' };

/** "YYYY-MM-DD HH:MM" (Kannel's %t), in UTC. */
function kannelTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * The dlr-url with Kannel's escapes filled in for the message's move to `status`: %d the report's
 * bit, %A the SMSC's answer, %p / %P the sender and the receiver (%q / %Q with a leading "+"),
 * %t / %T when the status changed (formatted, epoch seconds), %i the SMSC (Hellio's provider),
 * %F / %I the message id. Values are URL-encoded; `%%` is a percent sign.
 */
export function kannelDlrUrl(template: string, m: MessageRow, status: string, now: number): string {
  const bit = dlrMaskBit(status) ?? 0;
  const at = m.updated_at ?? now;
  const digits = (n: string) => n.replace(/^\+/, '');
  const values: Record<string, string> = {
    d: String(bit),
    A: m.error ? `${ANSWERS[bit] ?? ''}${m.error}` : (ANSWERS[bit] ?? ''),
    p: digits(m.sender),
    P: digits(m.recipient),
    q: m.sender,
    Q: m.recipient,
    t: kannelTime(at),
    T: String(Math.floor(at / 1000)),
    i: m.provider ?? '',
    F: m.id,
    I: m.id,
  };
  return template.replace(/%(.)/g, (whole, ch: string) => (ch === '%' ? '%' : values[ch] !== undefined ? encodeURIComponent(values[ch]!) : whole));
}
