import { rfc3339 } from '../../lib/time.ts';
import type { InboundAttachmentInfo, InboundEmailRow } from '../../store/repos/inbound-emails.ts';

/** An inbound email as the API and the `email.received` event show it; attachments by number, without their bytes. */
export function inboundEmailView(r: InboundEmailRow, attachments: readonly InboundAttachmentInfo[]) {
  return {
    id: r.id,
    mail_from: r.mail_from,
    rcpt_to: JSON.parse(r.rcpt_to) as string[],
    from: r.from_address,
    to: JSON.parse(r.to_addresses) as string[],
    subject: r.subject,
    message_id: r.message_id_header,
    in_reply_to: r.in_reply_to,
    text: r.text_body,
    html: r.html_body,
    size: r.size,
    authentication: { spf: r.spf, dkim: r.dkim, dmarc: r.dmarc },
    attachments: attachments
      .filter((a) => a.email_id === r.id)
      .map((a) => ({ n: a.n, filename: a.filename, content_type: a.content_type, size: a.size })),
    redacted: r.body_redacted_at !== null,
    created_at: rfc3339(r.created_at)!,
  };
}
