/** POST /send: an email. */
import { EMAIL_MAX_RECIPIENTS } from '../../modules/messages/email.ts';
import { str } from './common.ts';

const address = str({ minLength: 1, maxLength: 320 });
const addresses = <const N extends number>(max: N) => ({ anyOf: [address, { type: 'array', items: address, maxItems: max }] }) as const;

/** One address, or a list of them up to the per-email limit (to, cc, bcc, reply_to). */
export const emailAddresses = addresses(EMAIL_MAX_RECIPIENTS);

/** Extra MIME headers of an email. */
export const emailHeaders = { type: 'object', additionalProperties: str({ maxLength: 998 }), maxProperties: 50 } as const;

/** An email's tags: name and value pairs, kept with the message and sent in its webhooks. */
export const emailTags = {
  type: 'array',
  maxItems: 20,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'value'],
    properties: { name: str({ minLength: 1, maxLength: 256 }), value: str({ maxLength: 256 }) },
  },
} as const;

export const emailSendBody = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to', 'subject'],
  properties: {
    from: str({ minLength: 1, maxLength: 320, description: '"addr@example.com" or "Name <addr@example.com>"' }),
    to: emailAddresses,
    subject: str({ maxLength: 998 }),
    html: str(),
    text: str(),
    cc: emailAddresses,
    bcc: emailAddresses,
    reply_to: emailAddresses,
    headers: emailHeaders,
    attachments: {
      type: 'array',
      maxItems: 20,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['filename', 'content'],
        properties: {
          filename: str({ minLength: 1, maxLength: 255 }),
          content: str({ description: 'base64' }),
          content_type: str({ maxLength: 255 }),
        },
      },
    },
    tags: emailTags,
    scheduled_at: str({ description: 'RFC 3339; send later' }),
  },
  examples: [{ from: 'Hellio <hello@example.com>', to: 'ada@example.org', subject: 'Welcome', html: '<p>Welcome aboard</p>', text: 'Welcome aboard' }],
} as const;

export const emailSendResponse = {
  type: 'object',
  properties: { id: str(), status: str() },
  required: ['id', 'status'],
} as const;
