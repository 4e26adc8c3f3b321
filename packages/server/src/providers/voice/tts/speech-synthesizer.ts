/**
 * THE PORT for text to speech: what the voice channel (calls, previews, `GET /voice/voices`) needs
 * from a speech engine. Audio comes back as telephone audio — 8 kHz, mono, 16-bit linear PCM —
 * ready for G.711 companding (lib/g711.ts) and 20 ms RTP frames.
 */

/** The engines behind the voices. */
export type TtsEngine = 'flite' | 'espeak-ng';

/** Sample rate of everything `synthesize` returns (narrowband telephony). */
export const TELEPHONY_SAMPLE_RATE = 8000;

/** One installed voice, as `GET /voice/voices` lists it. */
export interface VoiceInfo {
  /** What a request names in `voice`: flite's voice name ("kal16") or espeak-ng's identifier ("gmw/de"). */
  id: string;
  /** Human name ("German", "US English male (kal16)"). */
  name: string;
  engine: TtsEngine;
  /** BCP 47 tags it speaks, most general first where the engine says so ("en", "en-US"). */
  languages: string[];
  /** Only where the engine documents it (flite's voices); espeak-ng's variants are not told apart. */
  gender?: 'female' | 'male';
  /** The engine's own output rate before resampling to 8 kHz. */
  sampleRate: number;
}

/** What to say, and in which language or voice (null: the default, English). */
export interface SynthesisRequest {
  text: string;
  language?: string | null;
  voice?: string | null;
  /**
   * Longest the request may wait behind others for its engine before it fails with
   * SpeechBusyError: for a person waiting on an answer (a preview). Unset: it waits its turn.
   */
  maxWaitMs?: number;
}

/** The engine was busy with other texts for longer than the request would wait; nothing was spoken. */
export class SpeechBusyError extends Error {
  constructor(engine: TtsEngine, waitedMs: number) {
    super(`text-to-speech (${engine}) was busy for ${waitedMs} ms`);
    this.name = 'SpeechBusyError';
  }
}

/** Why a language/voice pair cannot be spoken: the request field to blame and a sentence for the API error. */
export interface SpeechCheckFailure {
  field: 'language' | 'voice';
  message: string;
}

/** Text to telephone audio. */
export interface SpeechSynthesizer {
  /** Every installed voice. */
  voices(): Promise<VoiceInfo[]>;
  /**
   * Whether `synthesize` would accept this language/voice pair; synchronous and cheap, for the
   * accept path (implementations answer from static tables, so no engine needs to be loaded).
   */
  check(language: string | null, voice: string | null): SpeechCheckFailure | null;
  /** The voice `synthesize` would use for this pair, or null where `check` fails. */
  voiceFor(language: string | null, voice: string | null): VoiceInfo | null;
  /** One pass of `text` as 8 kHz mono 16-bit PCM; rejects where `check` fails or the engine fails. */
  synthesize(req: SynthesisRequest): Promise<Int16Array>;
  /** Stops the engines (their threads); later calls start them again. */
  close(): Promise<void>;
}
