import type { SpeechSynthesizer } from '../../providers/voice/tts/speech-synthesizer.ts';

/**
 * Text to speech as the voice module uses it (providers/voice/tts/, chosen in main.ts): what is
 * installed, whether a language and voice can be spoken (on the accept path, without waiting),
 * and one pass of speech at 8 kHz.
 */
export type Speech = Pick<SpeechSynthesizer, 'voices' | 'check' | 'synthesize' | 'close'>;

/** Silence between two passes of a repeated message. */
export const PAUSE_MS = 1_000;
