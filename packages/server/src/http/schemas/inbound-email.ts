import { listQuery, nullable, str } from './common.ts';

/** An email received for one of the account's verified domains. */
export const inboundEmailSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'mail_from', 'rcpt_to', 'from', 'to', 'subject', 'message_id', 'in_reply_to', 'text', 'html', 'size', 'authentication', 'attachments', 'redacted', 'created_at'],
  properties: {
    id: str({ description: 'inm_…' }),
    mail_from: { ...nullable('string'), description: 'The envelope sender (MAIL FROM); null for the null sender' },
    rcpt_to: { type: 'array', items: str(), description: "The envelope recipients at this account's domains" },
    from: { ...nullable('string'), description: "The From header's address" },
    to: { type: 'array', items: str(), description: 'The To and Cc addresses' },
    subject: nullable('string'),
    message_id: { ...nullable('string'), description: 'The Message-ID header' },
    in_reply_to: { ...nullable('string'), description: 'The In-Reply-To header (a reply names the Message-ID of an email sent with Hellio: <msg_…@domain>)' },
    text: nullable('string'),
    html: nullable('string'),
    size: { type: 'integer', description: 'Bytes of the message as received' },
    authentication: {
      type: 'object',
      additionalProperties: false,
      required: ['spf', 'dkim', 'dmarc'],
      description: 'SPF, DKIM and DMARC verdicts on arrival (pass, fail, softfail, neutral, none, temperror, permerror)',
      properties: { spf: str(), dkim: str(), dmarc: str() },
    },
    attachments: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['n', 'filename', 'content_type', 'size'],
        properties: { n: { type: 'integer', description: 'Its number, for /attachments/{n}' }, filename: nullable('string'), content_type: str(), size: { type: 'integer' } },
      },
    },
    redacted: { type: 'boolean', description: 'Retention removed subject, bodies and attachments' },
    created_at: str({ format: 'date-time' }),
  },
} as const;

export const inboundEmailsQuery = listQuery({
  from: str({ description: 'Received at or after (RFC 3339 or YYYY-MM-DD)' }),
  until: str({ description: 'Received before (RFC 3339 or YYYY-MM-DD)' }),
});

export const attachmentParams = {
  type: 'object',
  required: ['id', 'n'],
  properties: { id: str({ description: 'inm_…' }), n: str({ description: 'The attachment number, from 1 (as listed in attachments[].n)' }) },
} as const;

export const attachmentResponse = {
  description: 'The attachment, with its own Content-Type',
  content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
} as const;
