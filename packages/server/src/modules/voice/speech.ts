import type { FieldError } from '../../lib/errors.ts';

/** One installed voice, as GET /voice/voices lists it. */
export interface VoiceInfo {
  id: string;
  name: string;
  engine: string;
  languages: string[];
}

/**
 * Text to speech as the voice module uses it (the engines are in providers/voice/tts/, chosen in
 * main.ts): what is installed, whether a language and voice can be spoken (on the accept path,
 * without waiting), and one pass of speech at 8 kHz.
 */
export interface Speech {
  voices(): Promise<VoiceInfo[]>;
  check(language: string | null, voice: string | null): FieldError | null;
  synthesize(req: { text: string; language: string | null; voice: string | null }): Promise<Int16Array>;
  close?(): Promise<void>;
}

/** Silence between two passes of a repeated message. */
export const PAUSE_MS = 1_000;
