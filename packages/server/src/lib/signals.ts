/**
 * What the domain says as it happens, for this process's metrics (src/metrics/): each call is one
 * committed fact. Modules raise them on `store.signals`; raised inside a transaction, they are held
 * until it commits and dropped if it rolls back (store/store.ts), so a retried or refused
 * transaction counts nothing.
 */
export interface Signals {
  /** `n` messages (or calls) of `channel` were accepted: charged and queued. */
  messagesAccepted(channel: string, n: number): void;
  /** `n` messages (or calls) of `channel` reached the final `status` (delivered, failed, …). */
  messagesFinished(channel: string, status: string, n: number): void;
  /** One webhook attempt ended: `succeeded`, `retrying` (failed, tried again later) or `failed` (given up). */
  webhookAttempt(outcome: 'succeeded' | 'retrying' | 'failed'): void;
}

/** Signals that go nowhere: a store opened without metrics (tests, tools). */
export const NO_SIGNALS: Signals = {
  messagesAccepted: () => undefined,
  messagesFinished: () => undefined,
  webhookAttempt: () => undefined,
};

/** Signals raised in a transaction, held until `flushTo` after its commit. */
export class HeldSignals implements Signals {
  private readonly held: Array<(to: Signals) => void> = [];

  messagesAccepted(channel: string, n: number): void {
    this.held.push((to) => to.messagesAccepted(channel, n));
  }

  messagesFinished(channel: string, status: string, n: number): void {
    this.held.push((to) => to.messagesFinished(channel, status, n));
  }

  webhookAttempt(outcome: 'succeeded' | 'retrying' | 'failed'): void {
    this.held.push((to) => to.webhookAttempt(outcome));
  }

  /** Hands every held signal to `to`, in the order raised. */
  flushTo(to: Signals): void {
    for (const send of this.held.splice(0)) send(to);
  }
}
