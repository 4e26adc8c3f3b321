/** Resend's compatibility API (/resend): its request bodies and answers, in Resend's field names. */
import { EMAIL_BATCH_MAX } from '../../modules/messages/email-batch.ts';
import { MAX_PAGE } from '../../modules/pagination.ts';
import { nullable, str } from './common.ts';
import { emailAddresses as addresses, emailHeaders, emailTags } from './email.ts';

/** The fields of one email, as the `resend` client sends them (its camelCase options in snake_case). */
const emailFields = {
  from: str({ minLength: 1, maxLength: 320 }),
  to: addresses,
  subject: str({ maxLength: 998 }),
  html: str(),
  text: str(),
  cc: addresses,
  bcc: addresses,
  reply_to: addresses,
  headers: emailHeaders,
  tags: emailTags,
} as const;

const attachment = {
  type: 'object',
  additionalProperties: false,
  properties: {
    filename: str({ minLength: 1, maxLength: 255 }),
    // Base64 as the client sends it; an array of bytes is taken too.
    content: { anyOf: [str(), { type: 'array', items: { type: 'integer', minimum: 0, maximum: 255 } }] },
    path: str({ maxLength: 2048 }),
    content_type: str({ maxLength: 255 }),
    content_id: str({ maxLength: 255 }),
  },
} as const;

export const resendEmailBody = {
  type: 'object',
  additionalProperties: false,
  required: ['from', 'to', 'subject'],
  properties: {
    ...emailFields,
    attachments: { type: 'array', maxItems: 20, items: attachment },
    scheduled_at: str({ maxLength: 64, description: 'ISO 8601, or words: "in 1 min", "tomorrow at 9am" (UTC)' }),
  },
} as const;

/** A batch: emails without attachments or a schedule (Resend's batch takes neither). */
export const resendBatchBody = {
  type: 'array',
  minItems: 1,
  maxItems: EMAIL_BATCH_MAX,
  items: { type: 'object', additionalProperties: false, required: ['from', 'to', 'subject'], properties: emailFields },
} as const;

export const resendBatchHeaders = {
  type: 'object',
  properties: { 'x-batch-validation': str({ enum: ['strict', 'permissive'] }) },
} as const;

export const resendIdParams = { type: 'object', required: ['id'], properties: { id: str({ minLength: 1, maxLength: 64 }) } } as const;

export const resendUpdateBody = {
  type: 'object',
  additionalProperties: false,
  required: ['scheduled_at'],
  properties: { scheduled_at: str({ minLength: 1, maxLength: 64 }) },
} as const;

export const resendListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE },
    after: str(),
    before: str(),
  },
} as const;

export const resendCreated = { type: 'object', required: ['id'], properties: { id: str() } } as const;
export const resendObjectRef = { type: 'object', required: ['object', 'id'], properties: { object: str(), id: str() } } as const;

export const resendBatchCreated = {
  type: 'object',
  required: ['data'],
  properties: {
    data: { type: 'array', items: resendCreated },
    errors: { type: 'array', items: { type: 'object', properties: { index: { type: 'integer' }, message: str() } } },
  },
} as const;

const addressList = { type: ['array', 'null'], items: str() } as const;

const listedEmail = {
  id: str(),
  from: str(),
  to: { type: 'array', items: str() },
  cc: addressList,
  bcc: addressList,
  reply_to: addressList,
  subject: str(),
  last_event: str(),
  scheduled_at: nullable('string'),
  created_at: str(),
} as const;

export const resendEmail = {
  type: 'object',
  properties: {
    object: str(),
    ...listedEmail,
    html: nullable('string'),
    text: nullable('string'),
    tags: { type: 'array', items: { type: 'object', properties: { name: str(), value: str() } } },
  },
} as const;

export const resendEmailList = {
  type: 'object',
  properties: {
    object: str(),
    has_more: { type: 'boolean' },
    data: { type: 'array', items: { type: 'object', properties: listedEmail } },
  },
} as const;
