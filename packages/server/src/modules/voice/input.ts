import { type FieldError, validationError } from '../../lib/errors.ts';
import { parseE164 } from '../messages/sms-numbers.ts';
import type { Speech } from './speech.ts';

/** The limits of POST /voice/send (SPEC §3), shared by the request schema and the module. */
export const VOICE_LIMITS = {
  textMaxLength: 2_000,
  repeat: { min: 1, max: 3, default: 1 },
  ringTimeout: { min: 5, max: 120, default: 30 },
  /** Seconds of answered time; the wallet holds the minutes of this limit until the call ends. */
  timeLimit: { min: 10, max: 3_600, default: 120 },
} as const;

/** The body of POST /voice/send. */
export interface CallInput {
  to: string;
  text: string;
  from?: string;
  language?: string;
  voice?: string;
  repeat?: number;
  ring_timeout?: number;
  time_limit?: number;
}

/** A call request checked and completed with its defaults. */
export interface CallSpec {
  to: string;
  from: string | null;
  text: string;
  language: string;
  voice: string | null;
  repeat: number;
  ringTimeout: number;
  timeLimit: number;
}

/** A caller id: an E.164 number (it must also be an approved sender of the account). */
export function parseCallerId(text: string): string | null {
  return parseE164(text);
}

/** Checks a call request (every offending field at once) and fills in the defaults. */
export function readCallInput(speech: Speech, input: CallInput): CallSpec {
  const errors: FieldError[] = [];
  const to = parseE164(input.to);
  if (!to) errors.push({ field: 'to', message: 'must be a valid phone number in E.164 format (+14155552671)' });
  const from = input.from === undefined ? null : parseCallerId(input.from);
  if (input.from !== undefined && !from) errors.push({ field: 'from', message: 'must be a phone number in E.164 format' });
  const text = input.text.trim();
  if (text.length === 0) errors.push({ field: 'text', message: 'must not be empty' });
  const language = input.language ?? 'en';
  const wrongVoice = speech.check(language, input.voice ?? null);
  if (wrongVoice) errors.push(wrongVoice);
  if (errors.length) throw validationError(errors);
  return {
    to: to!,
    from,
    text,
    language,
    voice: input.voice ?? null,
    repeat: input.repeat ?? VOICE_LIMITS.repeat.default,
    ringTimeout: input.ring_timeout ?? VOICE_LIMITS.ringTimeout.default,
    timeLimit: input.time_limit ?? VOICE_LIMITS.timeLimit.default,
  };
}
