/** /numbers and /admin/numbers: numbers that receive SMS, and the replies to STOP, START and HELP. */
import { MAX_REPLY } from '../../modules/numbers/consent.ts';
import { str } from './common.ts';

const numberProperties = { number: str({ description: 'E.164' }), account_id: str(), created_at: str() } as const;
export const numberSchema = { type: 'object', properties: numberProperties } as const;
export const numberListSchema = { type: 'object', properties: { data: { type: 'array', items: numberSchema } } } as const;
export const numberReleasedSchema = { type: 'object', properties: { ...numberProperties, released: { type: 'boolean' } } } as const;

export const adminNumbersQuery = { type: 'object', additionalProperties: false, properties: { account_id: str({ description: 'Only this account’s' }) } } as const;
export const assignNumberBody = {
  type: 'object',
  additionalProperties: false,
  required: ['account_id', 'number'],
  properties: { account_id: str(), number: str({ maxLength: 32, description: 'E.164, e.g. +447400123140' }) },
} as const;
export const releaseNumberQuery = { type: 'object', additionalProperties: false, required: ['number'], properties: { number: str({ maxLength: 32 }) } } as const;

const reply = { type: 'object', properties: { text: str({ description: "What is sent; '' = no reply" }), default: { type: 'boolean', description: "true: the installation's default text" } } } as const;
export const consentRepliesSchema = { type: 'object', properties: { stop: reply, start: reply, help: reply } } as const;
const replyInput = { type: ['string', 'null'], maxLength: MAX_REPLY, description: "Your text; '' sends no reply; null restores the default" } as const;
export const consentRepliesBody = { type: 'object', additionalProperties: false, properties: { stop: replyInput, start: replyInput, help: replyInput } } as const;
