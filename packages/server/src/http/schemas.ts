/**
 * JSON Schemas of the HTTP contract. Fastify validates requests and serialises responses with
 * them, and /openapi.json is generated from them, so the docs cannot drift from the code.
 */
import { EMAIL_MAX_RECIPIENTS } from '../modules/email.ts';
import { MAX_PAGE } from '../modules/reports.ts';
import { MESSAGE_STATUSES } from '../modules/views.ts';
import { SMS_MAX_LENGTH, SMS_MAX_RECIPIENTS } from '../modules/sms.ts';

const str = (extra: Record<string, unknown> = {}) => ({ type: 'string', ...extra }) as const;
const nullable = (type: string) => ({ type: [type, 'null'] }) as const;

const addresses = (max: number) => ({
  anyOf: [str({ minLength: 1, maxLength: 320 }), { type: 'array', items: str({ minLength: 1, maxLength: 320 }), maxItems: max }],
});

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  description: 'Every error, on every endpoint',
  properties: {
    code: str({ description: 'Machine-readable error code' }),
    message: str({ description: 'For people' }),
    detail: str({ description: 'Same as message (HeliosSend compatibility)' }),
    errors: {
      type: 'array',
      items: { type: 'object', properties: { field: str(), message: str() }, required: ['field', 'message'] },
    },
  },
  required: ['code', 'message', 'detail'],
} as const;

export const errorResponses = {
  '4xx': { $ref: 'Error#' },
  '5xx': { $ref: 'Error#' },
} as const;

export const emailSendBody = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to', 'subject'],
  properties: {
    from: str({ minLength: 1, maxLength: 320, description: '"addr@example.com" or "Name <addr@example.com>"' }),
    to: addresses(EMAIL_MAX_RECIPIENTS),
    subject: str({ maxLength: 998 }),
    html: str(),
    text: str(),
    cc: addresses(EMAIL_MAX_RECIPIENTS),
    bcc: addresses(EMAIL_MAX_RECIPIENTS),
    reply_to: addresses(EMAIL_MAX_RECIPIENTS),
    headers: { type: 'object', additionalProperties: str({ maxLength: 998 }), maxProperties: 50 },
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
    tags: {
      type: 'array',
      maxItems: 20,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'value'],
        properties: { name: str({ minLength: 1, maxLength: 256 }), value: str({ maxLength: 256 }) },
      },
    },
    scheduled_at: str({ description: 'RFC 3339; send later' }),
  },
} as const;

export const emailSendResponse = {
  type: 'object',
  properties: { id: str(), status: str() },
  required: ['id', 'status'],
} as const;

export const smsSendBody = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to', 'message'],
  properties: {
    from: str({ minLength: 1, maxLength: 32, description: 'Approved sender id or number' }),
    to: {
      anyOf: [str({ minLength: 1, maxLength: 32 }), { type: 'array', minItems: 1, maxItems: SMS_MAX_RECIPIENTS, items: str({ maxLength: 32 }) }],
      description: 'E.164 number, or an array of them (more than one makes a campaign)',
    },
    message: str({ minLength: 1, maxLength: SMS_MAX_LENGTH }),
    scheduled_at: str({ description: 'RFC 3339; send later' }),
    reference: str({ maxLength: 128, description: 'Your own reference, kept on every message' }),
  },
} as const;

export const smsSendResponse = {
  type: 'object',
  properties: {
    campaign_id: nullable('string'),
    messages: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: str(), to: str(), status: str(), segments: { type: 'integer' }, encoding: str(), price: str() },
      },
    },
    total_price: str(),
    currency: str(),
  },
} as const;

const capSchema = { type: 'object', properties: { limit: nullable('string'), used: str() } } as const;

export const balanceResponse = {
  type: 'object',
  properties: {
    balance: str(),
    currency: str(),
    spend_caps: { type: 'object', properties: { daily: capSchema, monthly: capSchema } },
  },
} as const;

const eventSchema = {
  type: 'object',
  properties: { id: str(), status: str(), detail: nullable('string'), created_at: str() },
} as const;

const messageProperties = {
  id: str(),
  channel: str(),
  status: str({ enum: MESSAGE_STATUSES }),
  from: str(),
  to: { anyOf: [str(), { type: 'array', items: str() }] },
  subject: nullable('string'),
  body: nullable('string'),
  segments: nullable('integer'),
  encoding: nullable('string'),
  price: str(),
  currency: str(),
  sandbox: { type: 'boolean' },
  campaign_id: nullable('string'),
  reference: nullable('string'),
  error: nullable('string'),
  scheduled_at: nullable('string'),
  created_at: str(),
  updated_at: str(),
} as const;

export const messageSchema = { type: 'object', properties: messageProperties } as const;
export const messageDetailSchema = {
  type: 'object',
  properties: { ...messageProperties, events: { type: 'array', items: eventSchema } },
} as const;

export const pageOf = (item: object) =>
  ({
    type: 'object',
    properties: { data: { type: 'array', items: item }, next_cursor: nullable('string') },
  }) as const;

const pageQuery = {
  limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE },
  cursor: str({ description: 'next_cursor of the previous page' }),
} as const;

export const messagesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...pageQuery,
    channel: str({ enum: ['sms', 'email'] }),
    status: str({ enum: MESSAGE_STATUSES }),
    to: str(),
    campaign_id: str(),
    from: str({ description: 'Created at or after (RFC 3339)' }),
    until: str({ description: 'Created before (RFC 3339)' }),
  },
} as const;

export const campaignsQuery = { type: 'object', additionalProperties: false, properties: pageQuery } as const;

const campaignProperties = {
  id: str(),
  channel: str(),
  from: str(),
  message: str(),
  total_messages: { type: 'integer' },
  cost: str(),
  currency: str(),
  sandbox: { type: 'boolean' },
  reference: nullable('string'),
  scheduled_at: nullable('string'),
  created_at: str(),
} as const;

export const campaignSchema = { type: 'object', properties: campaignProperties } as const;
export const campaignDetailSchema = {
  type: 'object',
  properties: {
    ...campaignProperties,
    status_counts: { type: 'object', additionalProperties: { type: 'integer' } },
  },
} as const;

export const idParams = (prefix: string) =>
  ({ type: 'object', required: ['id'], properties: { id: str({ description: `${prefix}_…` }) } }) as const;
