/** POST /otp/send and POST /otp/verify. */
import { OTP_TEMPLATE_MAX_LENGTH } from '../../modules/otp/codes.ts';
import { nullable, str } from './common.ts';

export const otpSendBody = {
  type: 'object',
  additionalProperties: false,
  required: ['to'],
  properties: {
    to: str({ minLength: 1, maxLength: 320, description: 'E.164 number (sms, voice) or email address (email)' }),
    channel: { type: 'string', enum: ['sms', 'voice', 'email'], default: 'sms' },
    length: { type: 'integer', minimum: 4, maximum: 10, default: 6, description: 'digits in the code' },
    expires_in: { type: 'integer', minimum: 60, maximum: 3600, default: 600, description: 'seconds the code is valid' },
    template: str({ minLength: 1, maxLength: OTP_TEMPLATE_MAX_LENGTH, description: 'the text, with {code} where the code goes' }),
    sender: str({ minLength: 1, maxLength: 320, description: 'approved SMS sender id or number, or approved email address; the operator default when absent' }),
  },
  examples: [{ to: '+14155550101', channel: 'sms', length: 6, expires_in: 600 }],
} as const;

const otpProperties = {
  id: str({ description: 'otp_…' }),
  status: { type: 'string', enum: ['pending', 'approved', 'expired', 'max_attempts_reached'] },
  to: str(),
  channel: { type: 'string', enum: ['sms', 'voice', 'email'] },
  sends: { type: 'integer', description: 'codes sent for this verification (at most 5)' },
  attempts_remaining: { type: 'integer' },
  message_id: str({ description: 'the message that carried the latest code (redacted in reports)' }),
  sandbox: { type: 'boolean' },
  expires_at: str({ format: 'date-time' }),
  approved_at: nullable('string'),
  created_at: str({ format: 'date-time' }),
  updated_at: str({ format: 'date-time' }),
} as const;

export const otpSendResponse = {
  type: 'object',
  properties: { ...otpProperties, price: str({ description: 'what this send cost' }), currency: str() },
} as const;

export const otpVerifyBody = {
  type: 'object',
  additionalProperties: false,
  required: ['code'],
  properties: {
    id: str({ minLength: 1, maxLength: 64, description: 'the verification (otp_…); or give `to`' }),
    to: str({ minLength: 1, maxLength: 320, description: "the destination: its latest verification is checked" }),
    code: str({ minLength: 1, maxLength: 32 }),
  },
  examples: [{ id: 'otp_01J9Z8K6Q2W3E4R5T6Y7U8I9O0', code: '123456' }],
} as const;

export const otpVerifyResponse = {
  type: 'object',
  properties: {
    id: otpProperties.id,
    status: otpProperties.status,
    attempts_remaining: otpProperties.attempts_remaining,
  },
} as const;
