import { AppError, validationError } from '../../lib/errors.ts';
import { SpeechBusyError } from '../../providers/voice/tts/speech-synthesizer.ts';
import type { ModuleContext } from '../context.ts';

/** GET /voice/voices: the voices and languages this installation can speak. */
export async function listVoices(ctx: ModuleContext) {
  const voices = await ctx.speech.voices();
  return { data: voices.map((v) => ({ id: v.id, name: v.name, engine: v.engine, languages: v.languages, gender: v.gender ?? null })) };
}

/** POST /voice/preview: what a call would say, as 8 kHz audio, without calling anyone or paying. */
export async function previewSpeech(ctx: ModuleContext, accountId: string, input: { text: string; language?: string; voice?: string }): Promise<Int16Array> {
  const text = input.text.trim();
  const language = input.language ?? 'en';
  const voice = input.voice ?? null;
  const wrong = text.length === 0 ? { field: 'text', message: 'must not be empty' } : ctx.speech.check(language, voice);
  if (wrong) throw validationError([wrong]);
  if (previewing.has(accountId)) throw new AppError('rate_limited', 'One preview at a time per account: retry when the previous one has been answered', { headers: { 'retry-after': '1' } });
  previewing.add(accountId);
  try {
    return await ctx.speech.synthesize({ text, language, voice, maxWaitMs: PREVIEW_MAX_WAIT_MS });
  } catch (err) {
    if (err instanceof SpeechBusyError) throw new AppError('overloaded', undefined, { headers: { 'retry-after': String(PREVIEW_MAX_WAIT_MS / 1000) } });
    throw err;
  } finally {
    previewing.delete(accountId);
  }
}

// A preview is someone waiting on an answer, and one engine thread speaks for previews and calls
// alike: a long text (a 1,600-letter word is eight minutes of spelling) holds it for seconds, so
// previews queued behind it are refused with 503 overloaded rather than left hanging.
const PREVIEW_MAX_WAIT_MS = 5_000;

// The accounts with a preview being spoken in this process. One at a time each: a single client
// firing previews in parallel would otherwise fill the engine's queue and turn everyone's previews
// (and calls' speech) into waits and 503s; it gets a 429 for itself instead. Per process, like the
// engine thread it protects.
const previewing = new Set<string>();
