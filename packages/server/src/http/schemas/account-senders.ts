/** /accounts/:account_id/senders: approved senders, and requests for new ones. */
import { idParams, nullable, str } from './common.ts';

const kind = str({ enum: ['sms', 'email_domain', 'email_address'] });

export const senderSchema = {
  type: 'object',
  properties: { id: str(), kind, sender: str(), created_at: str() },
} as const;

export const senderRequestSchema = {
  type: 'object',
  properties: {
    id: str(),
    kind,
    sender: str(),
    status: str({ enum: ['pending', 'approved', 'rejected'] }),
    note: nullable('string'),
    reason: { ...nullable('string'), description: "The operator's reason, for a rejection" },
    created_at: str(),
    decided_at: nullable('string'),
  },
} as const;

export const sendersSchema = {
  type: 'object',
  properties: {
    data: { type: 'array', items: senderSchema, description: 'Approved senders' },
    requests: { type: 'array', items: senderRequestSchema, description: 'Requests waiting for an operator, and refused ones (newest first)' },
  },
} as const;

export const senderRequestBody = {
  type: 'object',
  additionalProperties: false,
  required: ['sender'],
  properties: {
    sender: str({ minLength: 1, maxLength: 254, description: 'An SMS sender id ("HELLIO"), short code or E.164 number; an email domain or address' }),
    note: { ...nullable('string'), maxLength: 500, description: 'For the operator: what the sender is for' },
  },
} as const;

export const senderParams = idParams('snd');
export const senderRemovedSchema = { type: 'object', properties: { ...senderSchema.properties, removed: { type: 'boolean' } } } as const;
