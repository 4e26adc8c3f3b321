import type { TtsEngine, VoiceInfo } from './speech-synthesizer.ts';

/** Messages between engine-thread.ts (main thread) and engine-worker.ts (its worker thread). */

/** What the main thread asks. */
export type EngineCommand = { op: 'synthesize'; voice: string; text: string } | { op: 'voices' };

/** A command as sent to the worker, one at a time, numbered. */
export type EngineRequest = EngineCommand & { id: number };

/** What the worker answers: `ready` once its engine is loaded, then one reply per request. */
export type EngineReply =
  | { op: 'ready'; loadMs: number; scratch: string | null }
  | { id: number; ok: true; pcm: Int16Array; engineRate: number; engineMs: number }
  | { id: number; ok: true; voices: Pick<VoiceInfo, 'id' | 'name' | 'languages'>[] }
  | { id: number; ok: false; error: string };

/** What the worker is started with (`workerData`). */
export interface EngineWorkerData {
  engine: TtsEngine;
}
