import type { CallProgress, CallRequest } from '../../src/providers/voice/voice-provider.ts';

/** A tone as the speech of one pass: `ms` long, 8 kHz. */
export function tone(ms: number, hz = 440): Int16Array {
  const n = Math.round((ms * 8000) / 1000);
  return Int16Array.from({ length: n }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / 8000)));
}

/** A call request for the SIP adapter's tests, recording the progress it is told. */
export function callRequest(over: Partial<CallRequest> = {}): CallRequest & { progress: CallProgress[] } {
  const progress: CallProgress[] = [];
  return {
    callId: 'call_test',
    to: '+4915112345678',
    from: null,
    speech: tone(300),
    repeat: 1,
    pauseMs: 0,
    ringTimeoutMs: 10_000,
    timeLimitMs: 20_000,
    signal: new AbortController().signal,
    onProgress: (p) => progress.push(p),
    progress,
    ...over,
  };
}
