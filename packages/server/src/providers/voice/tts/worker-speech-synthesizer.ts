import { EngineThread, type EngineThreadOptions } from './engine-thread.ts';
import { normaliseForSpeech } from './normalise.ts';
import type { SpeechCheckFailure, SpeechSynthesizer, SynthesisRequest, TtsEngine, VoiceInfo } from './speech-synthesizer.ts';
import { INSTALLED_VOICES, resolveVoice } from './voice-table.ts';

/**
 * The speech synthesizer that ships with `npm install`: flite (WASI) for English and espeak-ng
 * (Emscripten) for every other language, each in a worker thread of its own, started at its first
 * use and kept. Language and voice checks answer from the static voice table (voice-table.ts).
 */
export class WorkerSpeechSynthesizer implements SpeechSynthesizer {
  private readonly threads: Record<TtsEngine, EngineThread>;

  constructor(opts: EngineThreadOptions = {}) {
    this.threads = { flite: new EngineThread('flite', opts), 'espeak-ng': new EngineThread('espeak-ng', opts) };
  }

  /** Every installed voice (the static table; `engineVoices` asks the engines themselves). */
  async voices(): Promise<VoiceInfo[]> {
    return INSTALLED_VOICES.map((v) => ({ ...v, languages: [...v.languages] }));
  }

  /** Null when the pair can be spoken, else the field to blame and why. */
  check(language: string | null, voice: string | null): SpeechCheckFailure | null {
    const r = resolveVoice(language, voice);
    return 'failure' in r ? r.failure : null;
  }

  /** The voice a request with this pair is spoken in. */
  voiceFor(language: string | null, voice: string | null): VoiceInfo | null {
    const r = resolveVoice(language, voice);
    return 'voice' in r ? r.voice : null;
  }

  /** `text` spoken once, as 8 kHz mono 16-bit PCM (empty for text with nothing to say). */
  async synthesize(req: SynthesisRequest): Promise<Int16Array> {
    const r = resolveVoice(req.language ?? null, req.voice ?? null);
    if ('failure' in r) throw new Error(r.failure.message);
    const text = normaliseForSpeech(req.text, r.voice.engine);
    if (text === '') return new Int16Array(0);
    const wait = req.maxWaitMs === undefined ? {} : { maxWaitMs: req.maxWaitMs };
    const reply = await this.threads[r.voice.engine].request({ op: 'synthesize', voice: r.voice.id, text }, wait);
    if (!('pcm' in reply)) throw new Error('text-to-speech worker answered without audio');
    return reply.pcm;
  }

  /** What an engine itself reports as installed (ids, names, raw language tags): for checking the static table. */
  async engineVoices(engine: TtsEngine): Promise<{ id: string; name: string; languages: string[] }[]> {
    const reply = await this.threads[engine].request({ op: 'voices' });
    if (!('voices' in reply)) throw new Error('text-to-speech worker answered without voices');
    return reply.voices;
  }

  /** Per engine: the current worker thread's id and how many threads were started (reuse and replacement show here). */
  threadStats(): Record<TtsEngine, { threadId: number | undefined; threadsStarted: number }> {
    return { flite: this.threads.flite.stats(), 'espeak-ng': this.threads['espeak-ng'].stats() };
  }

  /** Stops both threads. */
  async close(): Promise<void> {
    await Promise.all(Object.values(this.threads).map((t) => t.close()));
  }
}
