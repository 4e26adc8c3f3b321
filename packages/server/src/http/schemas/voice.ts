/** POST /voice/send, GET /voice, GET /voice/{id}, cancel, audio, voices, preview. */
import { VOICE_LIMITS } from '../../modules/voice/input.ts';
import { CALL_STATUSES } from '../../modules/voice/views.ts';
import { listQuery, nullable, str } from './common.ts';

const { repeat, ringTimeout, timeLimit } = VOICE_LIMITS;

const speechFields = {
  text: str({ minLength: 1, maxLength: VOICE_LIMITS.textMaxLength, description: 'What to say; digits are read one by one ("3901": "three nine zero one")' }),
  language: str({ minLength: 2, maxLength: 35, description: 'BCP 47 language ("en", "de", "pt-BR"…; GET /voice/voices lists them); "en" by default' }),
  voice: str({ minLength: 1, maxLength: 64, description: 'A voice id from GET /voice/voices; the language\'s default when omitted' }),
} as const;

export const voiceSendBody = {
  type: 'object',
  additionalProperties: false,
  required: ['to', 'text'],
  properties: {
    to: str({ minLength: 1, maxLength: 32, description: 'E.164 number to call' }),
    ...speechFields,
    from: str({ minLength: 1, maxLength: 32, description: 'Caller id: one of the account\'s approved sender numbers (E.164); the trunk\'s own when omitted' }),
    repeat: { type: 'integer', minimum: repeat.min, maximum: repeat.max, description: `Times the message is spoken, with a pause between (${repeat.default} by default)` },
    ring_timeout: { type: 'integer', minimum: ringTimeout.min, maximum: ringTimeout.max, description: `Seconds to ring before giving up (${ringTimeout.default})` },
    time_limit: {
      type: 'integer',
      minimum: timeLimit.min,
      maximum: timeLimit.max,
      description: `Most seconds of answered time (${timeLimit.default}); the wallet holds its minutes until the call ends`,
    },
  },
} as const;

export const callSchema = {
  type: 'object',
  properties: {
    id: str({ description: 'call_…' }),
    status: str({ enum: CALL_STATUSES }),
    to: str(),
    from: nullable('string'),
    text: str({ description: 'What is said (an OTP call shows its code as ******)' }),
    language: str(),
    voice: nullable('string'),
    repeat: { type: 'integer' },
    ring_timeout: { type: 'integer' },
    time_limit: { type: 'integer' },
    duration_seconds: { type: ['integer', 'null'], description: 'Answer to hang-up, in whole seconds (rounded up); null until the call ends' },
    sip_code: { type: ['integer', 'null'], description: 'The final SIP answer to the INVITE (200, 486, 487…)' },
    hangup_by: { type: ['string', 'null'], enum: ['caller', 'callee', 'system', null] },
    codec: { type: ['string', 'null'], enum: ['PCMU', 'PCMA', null] },
    price: str({ description: 'While the call runs, the hold; once it ended, the started minutes of answered time × price_per_minute' }),
    price_per_minute: str(),
    currency: str(),
    sandbox: { type: 'boolean' },
    otp_id: nullable('string'),
    error: nullable('string'),
    created_at: str(),
    ringing_at: nullable('string'),
    answered_at: nullable('string'),
    ended_at: nullable('string'),
    updated_at: str(),
  },
} as const;

export const callDetailSchema = {
  type: 'object',
  properties: {
    ...callSchema.properties,
    events: {
      type: 'array',
      items: { type: 'object', properties: { id: str(), status: str(), detail: nullable('string'), created_at: str() } },
    },
  },
} as const;

export const callsQuery = listQuery({
  status: str({ enum: CALL_STATUSES }),
  to: str({ description: 'The number called' }),
  from: str({ description: 'Created at or after (RFC 3339 or YYYY-MM-DD)' }),
  until: str({ description: 'Created before (RFC 3339 or YYYY-MM-DD)' }),
});

export const wavResponse = {
  description: 'WAV: 16-bit PCM, mono, 8 kHz',
  content: { 'audio/wav': { schema: { type: 'string', format: 'binary' } } },
} as const;

export const voicesSchema = {
  type: 'object',
  properties: {
    data: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          id: str({ description: 'What `voice` takes' }),
          name: str(),
          engine: str({ enum: ['flite', 'espeak-ng'] }),
          languages: { type: 'array', items: str(), description: 'BCP 47 tags, what `language` takes' },
          gender: { type: ['string', 'null'], enum: ['female', 'male', null] },
        },
      },
    },
  },
} as const;

export const previewBody = {
  type: 'object',
  additionalProperties: false,
  required: ['text'],
  properties: speechFields,
} as const;
