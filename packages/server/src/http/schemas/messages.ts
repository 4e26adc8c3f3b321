/** /messages and /campaigns: reports, and cancelling a scheduled message. */
import { MESSAGE_STATUSES } from '../../modules/messages/views.ts';
import { listQuery, nullable, str } from './common.ts';

const eventSchema = {
  type: 'object',
  properties: {
    id: str(),
    status: str({ description: "The status the message moved to, or `retrying`: an attempt that failed and will be tried again" }),
    detail: nullable('string'),
    attempt: nullable('integer'),
    next_attempt_at: nullable('string'),
    created_at: str(),
  },
} as const;

const messageProperties = {
  id: str(),
  channel: str(),
  direction: str({ enum: ['outbound', 'inbound'] }),
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

export const messagesQuery = listQuery({
  channel: str({ enum: ['sms', 'email'] }),
  status: str({ enum: MESSAGE_STATUSES }),
  to: str({ description: 'Exactly the recipient as stored (E.164, or the first To address in lower case)' }),
  recipient: str({ maxLength: 320, description: 'The recipient, normalised first: a number in E.164 (spaces and dashes allowed), an email address in any case' }),
  campaign_id: str(),
  from: str({ description: 'Created at or after (RFC 3339)' }),
  until: str({ description: 'Created before (RFC 3339)' }),
  direction: str({ enum: ['outbound', 'inbound'], description: '`inbound`: messages received on the account\'s numbers' }),
  conversation: str({ maxLength: 32, description: 'A phone number (E.164): the SMS sent to it and received from it, newest first' }),
});

export const campaignsQuery = listQuery();

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
