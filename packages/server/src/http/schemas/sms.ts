/** POST /sms/send: an SMS, or a campaign. */
import { SMS_MAX_LENGTH, SMS_MAX_RECIPIENTS } from '../../modules/messages/sms.ts';
import { nullable, str } from './common.ts';

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
  examples: [{ from: 'HELLIO', to: '+14155550101', message: 'Your order has shipped', reference: 'order-1042' }],
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
