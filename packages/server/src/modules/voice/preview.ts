import { validationError } from '../../lib/errors.ts';
import type { ModuleContext } from '../context.ts';

/** GET /voice/voices: the voices and languages this installation can speak. */
export async function listVoices(ctx: ModuleContext) {
  const voices = await ctx.speech.voices();
  return { data: voices.map((v) => ({ id: v.id, name: v.name, engine: v.engine, languages: v.languages, gender: v.gender ?? null })) };
}

/** POST /voice/preview: what a call would say, as 8 kHz audio, without calling anyone or paying. */
export async function previewSpeech(ctx: ModuleContext, input: { text: string; language?: string; voice?: string }): Promise<Int16Array> {
  const text = input.text.trim();
  const language = input.language ?? 'en';
  const voice = input.voice ?? null;
  const wrong = text.length === 0 ? { field: 'text', message: 'must not be empty' } : ctx.speech.check(language, voice);
  if (wrong) throw validationError([wrong]);
  return ctx.speech.synthesize({ text, language, voice });
}
