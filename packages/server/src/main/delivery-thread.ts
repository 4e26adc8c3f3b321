// `hellio start` runs its workers on a thread of their own (issue 17): the HTTP event loop never
// waits behind delivery work, and one process uses two cores. The thread opens its own runtime
// (its own database connection or pool, its own links) exactly as a `hellio worker` process
// does; what the process shows of it — the domain's signals for /metrics and the providers'
// link state for /metrics and the admin API — crosses over as messages.
import { type MessagePort, Worker as Thread } from 'node:worker_threads';
import type { Signals } from '../lib/signals.ts';
import type { Channels } from '../providers/channels.ts';
import type { ProviderState } from '../providers/provider-state.ts';

/** The thread's entry: the bundle's, or the sources through tsx (bin/delivery-thread.js); it runs `runDeliveryThread` of main.ts. */
const ENTRY = new URL('../../bin/delivery-thread.js', import.meta.url);

/** How often the thread reports its providers' state (what /metrics and the admin API show). */
export const STATE_REPORT_MS = 500;

/** The providers' states of one process, by the same keys on both sides. */
export type StateSnapshot = Record<string, ProviderState>;

type FromThread =
  | { type: 'ready' }
  | { type: 'signal'; name: 'messagesAccepted' | 'messagesFinished' | 'webhookAttempt'; args: unknown[] }
  | { type: 'states'; states: StateSnapshot }
  | { type: 'stopped'; released: number }
  | { type: 'failed'; message: string };

/** Every provider of `channels` under a key both threads compute alike. */
function providersOf(channels: Channels): Array<[string, { state(): ProviderState }]> {
  return [
    ...[...channels.sms].map(([name, p]) => [`sms:${name}`, p] as [string, { state(): ProviderState }]),
    ['sms-sandbox', channels.smsSandbox],
    ...[...channels.voice].map(([name, p]) => [`voice:${name}`, p] as [string, { state(): ProviderState }]),
    ['voice-sandbox', channels.voiceSandbox],
    ['email-live', channels.email(false)],
    ['email-sandbox', channels.email(true)],
  ];
}

/** The state of every provider of `channels` now (the thread's side). */
export function snapshotStates(channels: Channels): StateSnapshot {
  return Object.fromEntries(providersOf(channels).map(([k, p]) => [k, p.state()]));
}

/** Signals that cross to the process's main thread, where its metrics are (the thread's side). */
export function forwardedSignals(port: MessagePort): Signals {
  const send = (name: Extract<FromThread, { type: 'signal' }>['name'], args: unknown[]) => port.postMessage({ type: 'signal', name, args });
  return {
    messagesAccepted: (channel, n) => send('messagesAccepted', [channel, n]),
    messagesFinished: (channel, status, n) => send('messagesFinished', [channel, status, n]),
    webhookAttempt: (outcome) => send('webhookAttempt', [outcome]),
  };
}

/**
 * The main thread's handle on the delivery thread: started once the main runtime has migrated the
 * store; `stop` is the worker's graceful stop (jobs in hand finished or given back, links closed).
 */
export class DeliveryThread {
  private stopped: ((released: number) => void) | null = null;
  private states: StateSnapshot = {};

  private constructor(private readonly thread: Thread) {}

  /**
   * Starts the thread; resolves once its worker runs. `threadWriteLock`: the memory of the
   * SQLite write turns both threads share (store/thread-write-lock.ts). Signals go to `signals`; the providers of
   * `channels` answer `state()` with the thread's view (theirs on this thread never connect).
   * `onFailure` is called if the thread dies on its own (the process should exit, as it would
   * had the worker run on the main thread).
   */
  static async start(opts: { signals: Signals; channels: Channels; threadWriteLock: SharedArrayBuffer; onFailure: (err: Error) => void }): Promise<DeliveryThread> {
    const thread = new Thread(ENTRY, { stdout: false, stderr: false, workerData: { threadWriteLock: opts.threadWriteLock } });
    const handle = new DeliveryThread(thread);
    for (const [key, p] of providersOf(opts.channels)) {
      const own = p.state.bind(p);
      // Why an assignment: the admin API and /metrics read `state()` off these objects, and in
      // this process the live link is the thread's.
      p.state = () => handle.states[key] ?? own();
    }
    let ready: (() => void) | null = null;
    let failedToStart: ((err: Error) => void) | null = null;
    const started = new Promise<void>((res, rej) => {
      ready = res;
      failedToStart = rej;
    });
    thread.on('message', (m: FromThread) => {
      if (m.type === 'ready') ready?.();
      else if (m.type === 'signal') (opts.signals[m.name] as (...a: unknown[]) => void)(...m.args);
      else if (m.type === 'states') handle.states = m.states;
      else if (m.type === 'stopped') handle.stopped?.(m.released);
      else if (m.type === 'failed') failedToStart?.(new Error(m.message));
    });
    const died = (err: Error) => {
      if (handle.stopped) return;
      if (ready) failedToStart?.(err);
      opts.onFailure(err);
    };
    thread.on('error', died);
    thread.on('exit', (code) => died(new Error(`the delivery thread exited (${code})`)));
    await started;
    ready = null;
    return handle;
  }

  /** Stops the thread's worker as `Worker.stop` does, closes its links and store; the claims given back. */
  async stop(opts: { graceMs: number; retakeAt: number }): Promise<number> {
    const released = new Promise<number>((r) => (this.stopped = r));
    this.thread.postMessage({ type: 'stop', ...opts });
    const n = await released;
    await this.thread.terminate();
    return n;
  }
}
