import { describe, expect, it } from 'vitest';
import { fieldGroups, messageIdIn, readReport } from '../../src/modules/inbound/mail-reports.ts';

const crlf = (lines: string[]) => Buffer.from(lines.join('\r\n'));
const reportType = (t: string, boundary: string) => ({ value: 'multipart/report', params: { 'report-type': t, boundary } });

/** Reading RFC 3464 and RFC 5965 reports from the forms MTAs write them in. */
describe('mail reports', () => {
  it('reads every recipient of a DSN, unfolding long fields, with the Message-ID of a returned message', async () => {
    const raw = crlf([
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'Final-Recipient: rfc822; decoy@example.net',
      'Action: failed',
      '--b',
      'Content-Type: message/delivery-status',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(
        'Reporting-MTA: dns; mx.example.net\r\n\r\nFinal-Recipient: rfc822; One@Example.net\r\nAction: failed\r\nStatus: 5.1.1 (user unknown)\r\nDiagnostic-Code: smtp; 550 no\r\n  such user\r\n\r\nFinal-Recipient: rfc822;two@example.net\r\nAction: delayed\r\nStatus: 4.4.1\r\n',
      ).toString('base64'),
      '--b',
      'Content-Type: message/rfc822',
      '',
      'From: a@b',
      'Message-Id:',
      ' <msg_01ABCDEFGHJKMNPQRSTVWXYZ01@example.com>',
      '',
      'body',
      '--b--',
      '',
    ]);
    expect(await readReport(raw, reportType('delivery-status', 'b'))).toEqual({
      kind: 'delivery-status',
      originalMessageId: '<msg_01ABCDEFGHJKMNPQRSTVWXYZ01@example.com>',
      recipients: [
        { address: 'one@example.net', action: 'failed', status: '5.1.1', diagnostic: 'smtp; 550 no such user' },
        { address: 'two@example.net', action: 'delayed', status: '4.4.1', diagnostic: null },
      ],
    });
  });

  it('reads an ARF report: its feedback type, the complaining address and the original Message-ID', async () => {
    const raw = crlf([
      '--f',
      'Content-Type: text/plain',
      '',
      'An abuse report.',
      '--f',
      'Content-Type: message/feedback-report',
      '',
      'Feedback-Type: Abuse',
      'Version: 1',
      'Original-Rcpt-To: <Someone@Example.org>',
      '',
      '--f',
      'Content-Type: text/rfc822-headers',
      '',
      'Message-ID: <msg_x@d>',
      'Subject: hi',
      '--f--',
    ]);
    expect(await readReport(raw, reportType('feedback-report', 'f'))).toEqual({ kind: 'feedback-report', originalMessageId: '<msg_x@d>', feedbackType: 'abuse', originalRcptTo: 'someone@example.org' });
  });

  it('is null for mail that is not a report, or a report of another type', async () => {
    expect(await readReport(Buffer.from('Subject: hi\r\n\r\nhi'), { value: 'text/plain', params: {} })).toBeNull();
    expect(await readReport(crlf(['--m', 'Content-Type: message/disposition-notification', '', 'Disposition: displayed', '--m--']), reportType('disposition-notification', 'm'))).toBeNull();
    // A delivery-status report without its machine-readable part.
    expect(await readReport(crlf(['--d', 'Content-Type: text/plain', '', 'failed', '--d--']), reportType('delivery-status', 'd'))).toBeNull();
  });

  it('splits header-style fields into groups and finds a folded Message-ID', () => {
    expect(fieldGroups('A: 1\nB: 2\n  more\n\n\nC: 3\n').map((g) => Object.fromEntries(g))).toEqual([{ a: '1', b: '2 more' }, { c: '3' }]);
    expect(messageIdIn('Subject: x\r\nMessage-ID:\r\n <id@host>\r\n')).toBe('<id@host>');
    expect(messageIdIn('Subject: no id\r\n')).toBeNull();
  });
});
