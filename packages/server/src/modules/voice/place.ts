import type { Clock } from '../../lib/clock.ts';
import { encodeG711 } from '../../lib/g711.ts';
import type { Channels } from '../../providers/channels.ts';
import type { CallOutcome, CallProgress, VoiceProvider } from '../../providers/voice/voice-provider.ts';
import { PermanentFailure, RetryLater } from '../../queue/job-definition.ts';
import type { CallRow } from '../../store/repos/calls.ts';
import type { Store } from '../../store/store.ts';
import { voiceProvidersFor } from '../messages/routing.ts';
import type { OtpKeys } from '../otp/otp-keys.ts';
import { type CallEnding, endCall, endingOf, markAnswered, markRinging, noteCall } from './lifecycle.ts';
import { PAUSE_MS, type Speech } from './speech.ts';
import { FINAL_CALL_STATUSES } from './views.ts';

/** What placing a call needs. */
export interface CallDeps {
  store: Store;
  clock: Clock;
  channels: Channels;
  speech: Speech;
  /** Opens an OTP call's sealed text; null where no OTP secret is configured. */
  otpKeys: OtpKeys | null;
  currency: string;
  /** How often the worker looks for a cancel request and, once answered, writes its heartbeat. */
  pollMs?: number;
  /** How often an answered call's heartbeat (`alive_at`, what a crash bills up to) is written. */
  heartbeatMs?: number;
  log?: (msg: string, extra: object) => void;
}

/** The run of the job that places the call. */
export interface CallRun {
  attempt: number;
  maxAttempts: number;
}

/**
 * Places an accepted call: speaks its text, dials the trunks its route names in order (the next
 * only when one never took the call), plays the message, records how it ended and bills it. A
 * call found mid-way — its worker died — is ended by `endOrphan`, never dialled again.
 */
export async function placeCall(d: CallDeps, callId: string, run: CallRun): Promise<void> {
  const call = await d.store.calls.byId(callId);
  if (!call || FINAL_CALL_STATUSES.has(call.status)) return;
  if (call.status !== 'queued') return endOrphan(d, call);

  const speech = await d.speech.synthesize({ text: spokenText(d, call), language: call.language, voice: call.voice });
  const trunks = await voiceProvidersFor(d.store, d.channels, call.sandbox === 1, call.to_number);
  for (const [i, trunk] of trunks.entries()) {
    const now = await d.store.calls.byId(callId);
    if (!now || now.status !== 'queued') return;
    const outcome = await dial(d, call, trunk, speech);
    // A trunk that never took the call may be replaced by another; once the phone has rung, the
    // end is the call's (ringing it again through another trunk would surprise its owner).
    if (outcome.trunkFailure && outcome.ringingAt === null) {
      const last = i === trunks.length - 1;
      const retry = last && run.attempt < run.maxAttempts;
      if (!last || retry) {
        await noteCall(d.store, callId, 'retrying', `${trunk.name}: ${outcome.error ?? 'the trunk did not take the call'}${last ? '; the call will be tried again' : '; trying the next trunk'}`, d.clock.now());
        if (!last) continue;
        throw new RetryLater(`no trunk took the call (${trunk.name}: ${outcome.error ?? 'no answer'})`);
      }
    }
    if (outcome.framesSent > 0 && outcome.codec && call.sealed_text === null) {
      await d.store.calls.putAudio({
        call_id: callId,
        codec: outcome.codec,
        speech: encodeG711(speech, outcome.codec).toString('base64'),
        repeat: call.repeat,
        pause_ms: PAUSE_MS,
        frames_sent: outcome.framesSent,
        created_at: d.clock.now(),
      });
    }
    await endCall(d.store, callId, endingOf(outcome, trunk.name), d.currency, d.clock.now());
    return;
  }
}

/** Ends a call whose job gave up (attempts exhausted, a permanent failure): failed, the hold refunded. */
export async function abandonCall(d: CallDeps, callId: string, error: string): Promise<void> {
  const call = await d.store.calls.byId(callId);
  if (!call || FINAL_CALL_STATUSES.has(call.status)) return;
  if (call.status !== 'queued') return endOrphan(d, call);
  await endCall(d.store, callId, { status: 'failed', sipCode: null, hangupBy: 'system', durationSeconds: 0, codec: null, provider: null, error }, d.currency, d.clock.now());
}

function spokenText(d: CallDeps, call: CallRow): string {
  if (call.sealed_text === null) return call.text;
  if (d.otpKeys === null) throw new PermanentFailure('this call speaks a sealed OTP code, and this worker was given no OTP key to open it');
  try {
    return d.otpKeys.open(call.sealed_text, call.id);
  } catch (err) {
    throw new PermanentFailure(`the sealed OTP text cannot be opened (was HELLIO_OTP_SECRET changed?): ${(err as Error).message}`);
  }
}

/**
 * One call through one trunk: progress written as it comes (in order), a cancel request turned
 * into an abort, and the heartbeat of an answered call written while it lasts.
 */
async function dial(d: CallDeps, call: CallRow, trunk: VoiceProvider, speech: Int16Array): Promise<CallOutcome> {
  const { store, clock } = d;
  const abort = new AbortController();
  let progress: Promise<unknown> = Promise.resolve();
  const onProgress = (p: CallProgress) => {
    progress = progress
      .then(async () => {
        const moved = p.type === 'ringing' ? await markRinging(store, call.id, trunk.name, clock.now()) : await markAnswered(store, call.id, p.codec, clock.now());
        if (!moved && p.type === 'ringing') abort.abort();
      })
      .catch((err: unknown) => d.log?.('recording call progress failed', { call: call.id, err: (err as Error).message }));
  };
  const heartbeatMs = d.heartbeatMs ?? 5_000;
  let lastBeat = 0;
  const watch = setInterval(() => {
    store.calls
      .byId(call.id)
      .then(async (row) => {
        if (!row) return;
        if (row.cancel_requested_at !== null && row.status !== 'in_progress') abort.abort();
        if (row.status === 'in_progress' && performance.now() - lastBeat >= heartbeatMs) {
          lastBeat = performance.now();
          await store.calls.touch(call.id, { alive_at: clock.now() });
        }
      })
      .catch((err: unknown) => d.log?.('watching a call failed', { call: call.id, err: (err as Error).message }));
  }, d.pollMs ?? 500);
  try {
    return await trunk.call({
      callId: call.id,
      to: call.to_number,
      from: call.from_number,
      speech,
      repeat: call.repeat,
      pauseMs: PAUSE_MS,
      ringTimeoutMs: call.ring_timeout * 1000,
      timeLimitMs: call.time_limit * 1000,
      signal: abort.signal,
      onProgress,
    });
  } finally {
    clearInterval(watch);
    await progress;
  }
}

/**
 * A call whose worker died mid-way (its job's lease expired and another worker took it): it is
 * not dialled again. Unanswered, it ends `failed` and costs nothing; answered, it ends `failed`
 * and is billed up to the dead worker's last heartbeat — at most a few seconds short.
 */
async function endOrphan(d: CallDeps, call: CallRow): Promise<void> {
  const answeredFor = call.answered_at === null ? 0 : Math.max(0, (call.alive_at ?? call.answered_at) - call.answered_at);
  const ending: CallEnding = {
    status: 'failed',
    sipCode: null,
    hangupBy: 'system',
    durationSeconds: Math.ceil(answeredFor / 1000),
    codec: null,
    provider: null,
    error:
      call.answered_at === null
        ? 'the worker carrying the call stopped before it was answered'
        : 'the worker carrying the call stopped mid-call; billed up to its last heartbeat',
  };
  await endCall(d.store, call.id, ending, d.currency, d.clock.now());
}
