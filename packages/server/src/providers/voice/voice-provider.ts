import type { ProviderState } from '../provider-state.ts';

/** The G.711 laws a call's audio may be sent in (RTP payload types 0 and 8). */
export type Codec = 'PCMU' | 'PCMA';

/** How a placed call ended (SPEC §3's final statuses; `canceled` only after our CANCEL or an abort before answer). */
export type CallEnd = 'completed' | 'busy' | 'no_answer' | 'failed' | 'canceled';

/**
 * Who ended the call: `caller` — we hung up because the message was done; `callee` — the far end
 * hung up, or refused (busy, declined); `system` — a limit or an error ended it (ring timeout,
 * time limit, a cancel, a lost trunk).
 */
export type HangupBy = 'caller' | 'callee' | 'system';

/** Progress of a call as it happens, before its outcome. */
export type CallProgress = { type: 'ringing'; at: number } | { type: 'answered'; at: number; codec: Codec };

/** One call to place: where, what to say, and the limits. */
export interface CallRequest {
  /** Our call id (call_…), for logs and correlation only. */
  callId: string;
  /** E.164 with "+". */
  to: string;
  /** Caller id (E.164 or a SIP user), or null for the trunk's own user. */
  from: string | null;
  /** The speech of one pass: 8 kHz mono signed 16-bit samples. */
  speech: Int16Array;
  /** Passes of the speech (1–3), with `pauseMs` of silence between two passes. */
  repeat: number;
  pauseMs: number;
  /** Ringing longer than this is given up: CANCEL, then `no_answer` (hangup_by system). */
  ringTimeoutMs: number;
  /** Longest answered time: reaching it sends BYE (`completed`, hangup_by system). */
  timeLimitMs: number;
  /** Aborting cancels the call: CANCEL while ringing (→ `canceled`), BYE once answered. */
  signal: AbortSignal;
  /** Told of ringing (first 180/183) and of the answer (200 with the codec chosen). */
  onProgress(p: CallProgress): void;
}

/** What happened to a call. Times are epoch milliseconds. */
export interface CallOutcome {
  status: CallEnd;
  /** The final SIP answer to our INVITE (200, 486, 487 …); null when none came. */
  sipCode: number | null;
  hangupBy: HangupBy;
  ringingAt: number | null;
  answeredAt: number | null;
  endedAt: number;
  codec: Codec | null;
  /** 20 ms frames of audio sent (speech, pauses and all), so the exact audio can be rebuilt. */
  framesSent: number;
  /** Why it failed, for the timeline (never a credential); null when it did not. */
  error: string | null;
  /**
   * The trunk never took the call (no answer to the INVITE at all, or 500/502/503/504): another
   * trunk may, and nothing was billed. Route failover tries the next trunk only for these.
   */
  trunkFailure?: boolean;
}

/** The voice port: the SIP trunk adapter and the simulator implement it. */
export interface VoiceProvider {
  readonly name: string;
  /** Places one call and resolves when it has ended, whatever the end. Never rejects for a call's own failure. */
  call(req: CallRequest): Promise<CallOutcome>;
  /** What it is and how it is, for the operators' console. */
  state(): ProviderState;
  close(): Promise<void>;
}
