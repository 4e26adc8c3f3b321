/** What a call plays, cut into 20 ms G.711 frames: the speech `repeat` times with silence between. */
import { encodeG711, G711_SILENCE } from '../../lib/g711.ts';
import type { Codec } from './voice-provider.ts';

/** Samples (and bytes) in one 20 ms frame at 8 kHz. */
export const FRAME_SAMPLES = 160;
/** One frame's duration. */
export const FRAME_MS = 20;

/** One frame to send; `marker` starts a talkspurt (each pass's first frame, RFC 3551 §4.1). */
export interface RtpFrame {
  payload: Buffer;
  marker: boolean;
}

/**
 * The frames of a whole message: the speech encoded once in `codec` (the last frame padded with
 * silence), `repeat` passes, `pauseMs` of silence frames between two passes.
 */
export function buildPlayout(speech: Int16Array, codec: Codec, repeat: number, pauseMs: number): RtpFrame[] {
  return playoutOf(encodeG711(speech, codec), codec, repeat, pauseMs);
}

/** `buildPlayout` of speech already encoded in `codec` (what a call's stored audio holds). */
export function playoutOf(encoded: Buffer, codec: Codec, repeat: number, pauseMs: number): RtpFrame[] {
  const speechFrames: Buffer[] = [];
  for (let at = 0; at < encoded.length; at += FRAME_SAMPLES) {
    const frame = Buffer.alloc(FRAME_SAMPLES, G711_SILENCE[codec]);
    encoded.copy(frame, 0, at, Math.min(at + FRAME_SAMPLES, encoded.length));
    speechFrames.push(frame);
  }
  const silence = Buffer.alloc(FRAME_SAMPLES, G711_SILENCE[codec]);
  const pauseFrames = Math.max(0, Math.round(pauseMs / FRAME_MS));
  const frames: RtpFrame[] = [];
  for (let pass = 0; pass < Math.max(1, repeat); pass++) {
    if (pass > 0) for (let i = 0; i < pauseFrames; i++) frames.push({ payload: silence, marker: false });
    speechFrames.forEach((payload, i) => frames.push({ payload, marker: i === 0 }));
  }
  return frames;
}
