import { connectionless, type ProviderState } from '../provider-state.ts';
import type { CallOutcome, CallRequest, VoiceProvider } from './voice-provider.ts';

/** Test numbers with a fixed fate (docs/simulators.md). Every other number answers and listens to the end. */
export const VOICE_MAGIC = {
  /** 486 Busy Here after a moment of ringing → busy. */
  busy: '+15005550010',
  /** Rings until the call's ring_timeout, then we give up (CANCEL, 487) → no_answer. */
  noAnswer: '+15005550011',
  /** 404 Not Found at once → failed. */
  failed: '+15005550012',
  /** Answers, then hangs up two seconds into the message → completed, hangup_by callee. */
  hangsUp: '+15005550013',
  /** The trunk does not answer (503): route failover tries the next trunk → failed when none is left. */
  unreachable: '+15005550014',
} as const;

const FRAME_MS = 20;

export interface VoiceSimulatorOptions {
  /** How much faster than real time calls run (tests); 1 by default. */
  speed?: number;
  /** Ringing before the answer, in ms of call time. */
  ringMs?: number;
}

/**
 * A SIP trunk that behaves like one — ringing, an answer, the time the message takes to play,
 * busy, no answer, failures — with no network. The outcome has the fields a real trunk gives
 * (sip code, who hung up, frames sent in PCMU), so everything above it runs as for a real call.
 */
export class VoiceSimulator implements VoiceProvider {
  readonly name = 'simulator';
  private readonly speed: number;
  private readonly ringMs: number;
  private inFlight = 0;

  constructor(opts: VoiceSimulatorOptions = {}) {
    this.speed = opts.speed ?? 1;
    this.ringMs = opts.ringMs ?? 1_500;
  }

  async call(req: CallRequest): Promise<CallOutcome> {
    this.inFlight++;
    try {
      return await this.place(req);
    } finally {
      this.inFlight--;
    }
  }

  private async place(req: CallRequest): Promise<CallOutcome> {
    const end = (o: Partial<CallOutcome> & Pick<CallOutcome, 'status' | 'hangupBy'>): CallOutcome => ({
      sipCode: null,
      ringingAt: null,
      answeredAt: null,
      endedAt: Date.now(),
      codec: null,
      framesSent: 0,
      error: null,
      ...o,
    });
    if (req.to === VOICE_MAGIC.unreachable) return end({ status: 'failed', hangupBy: 'system', sipCode: 503, error: '503 Service Unavailable', trunkFailure: true });
    if (req.to === VOICE_MAGIC.failed) return end({ status: 'failed', hangupBy: 'system', sipCode: 404, error: '404 Not Found' });

    if (!(await this.wait(100, req.signal))) return end({ status: 'canceled', hangupBy: 'system', sipCode: 487 });
    const ringingAt = Date.now();
    req.onProgress({ type: 'ringing', at: ringingAt });
    if (req.to === VOICE_MAGIC.busy) {
      await this.wait(300, req.signal);
      return end({ status: 'busy', hangupBy: 'callee', sipCode: 486, ringingAt });
    }
    const ringFor = req.to === VOICE_MAGIC.noAnswer ? Infinity : this.ringMs;
    const answered = await this.wait(Math.min(ringFor, req.ringTimeoutMs), req.signal);
    if (!answered) return end({ status: 'canceled', hangupBy: 'system', sipCode: 487, ringingAt });
    if (ringFor > req.ringTimeoutMs) return end({ status: 'no_answer', hangupBy: 'system', sipCode: 487, ringingAt });

    const answeredAt = Date.now();
    req.onProgress({ type: 'answered', at: answeredAt, codec: 'PCMU' });
    const speechFrames = Math.ceil(req.speech.length / 160);
    const pauseFrames = Math.ceil(req.pauseMs / FRAME_MS);
    const total = speechFrames * req.repeat + pauseFrames * (req.repeat - 1);
    const limit = Math.floor(req.timeLimitMs / FRAME_MS);
    const calleeAfter = req.to === VOICE_MAGIC.hangsUp ? 2_000 / FRAME_MS : Infinity;
    const frames = Math.min(total, limit, calleeAfter);
    const started = Date.now();
    const played = await this.wait(frames * FRAME_MS, req.signal);
    const framesSent = played ? frames : Math.min(frames, Math.floor(((Date.now() - started) * this.speed) / FRAME_MS));
    const hangupBy = !played || frames === limit ? 'system' : frames === calleeAfter ? 'callee' : 'caller';
    // Times in call time, so a sped-up call lasts as long as its audio.
    return end({ status: 'completed', hangupBy, sipCode: 200, ringingAt, answeredAt, endedAt: answeredAt + framesSent * FRAME_MS, codec: 'PCMU', framesSent });
  }

  /** Waits `ms` of call time; false when the call was aborted first. */
  private wait(ms: number, signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    if (ms === Infinity) return new Promise((resolve) => signal.addEventListener('abort', () => resolve(false), { once: true }));
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms / this.speed);
      const onAbort = () => {
        clearTimeout(t);
        resolve(false);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  state(): ProviderState {
    return { ...connectionless('simulator'), inFlight: this.inFlight };
  }

  async close(): Promise<void> {}
}
