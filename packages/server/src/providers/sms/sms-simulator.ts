import { randomBytes } from 'node:crypto';
import { connectionless, type ProviderState } from '../provider-state.ts';
import type { InboundHandler, InboundSmsPart, ReceiptHandler, SmsProvider, SmsSubmit, SmsSubmitResult } from './sms-provider.ts';

/** What a simulated phone or mailbox received. */
export interface InboxEntry {
  messageId: string;
  channel: 'sms' | 'email';
  sender: string;
  recipient: string;
  subject: string | null;
  body: string;
}

/**
 * Test numbers with a fixed fate (docs/simulators.md). Every other number is delivered.
 */
export const SMS_MAGIC = {
  /** Refused at hand-over: an invalid destination (permanent) → failed, refunded. */
  rejected: '+15005550001',
  /** Taken, then an UNDELIV receipt → undelivered. */
  undelivered: '+15005550002',
  /** Taken, then an EXPIRED receipt → failed, refunded. */
  expired: '+15005550003',
  /** The first attempt meets a temporary network error; the retry is delivered. */
  flaky: '+15005550004',
} as const;

export interface SmsSimulatorOptions {
  inbox: (entry: InboxEntry) => Promise<void>;
  /** Receipt delay range, like a real network's. */
  receiptDelayMs?: [number, number];
}

/**
 * A network that behaves like one — ids, delays, receipts, failures — with no network. It keeps
 * no receipt in memory: its answer says which receipt will come and when (`simulatedReceipt`),
 * and the delivery worker stores that as a job with the message's `sent` step, so a crash loses
 * none (docs/reliability.md). It stays pure: no store, no queue.
 */
export class SmsSimulator implements SmsProvider {
  readonly name = 'simulator';
  private readonly attempts = new Map<string, number>();
  private readonly delay: [number, number];

  constructor(private readonly opts: SmsSimulatorOptions) {
    this.delay = opts.receiptDelayMs ?? [200, 1500];
  }

  private inbound: InboundHandler | null = null;

  /** Its receipts come back as jobs (`simulatedReceipt`), never through a handler. */
  onReceipt(_handler: ReceiptHandler): void {}

  onInbound(handler: InboundHandler): void {
    this.inbound = handler;
  }

  /**
   * A simulated phone sends an SMS to one of our numbers (`hellio sandbox mo`, tests): handed to
   * the inbound handler exactly as a network's would be. Resolves once it is stored.
   */
  async sendMo(part: InboundSmsPart): Promise<void> {
    if (!this.inbound) throw new Error('the SMS simulator has no inbound handler');
    await this.inbound(part);
  }

  state(): ProviderState {
    return connectionless('simulator');
  }

  async submit(msg: SmsSubmit): Promise<SmsSubmitResult> {
    if (msg.to === SMS_MAGIC.rejected) return { ok: false, retryable: false, error: 'invalid destination address', code: 'ESME_RINVDSTADR' };
    if (msg.to === SMS_MAGIC.flaky) {
      const n = (this.attempts.get(msg.messageId) ?? 0) + 1;
      this.attempts.set(msg.messageId, n);
      if (n === 1) return { ok: false, retryable: true, error: 'simulated temporary network error', code: 'ESME_RSYSERR', retryAfterMs: 200 };
    }
    await this.opts.inbox({ messageId: msg.messageId, channel: 'sms', sender: msg.from, recipient: msg.to, subject: null, body: msg.text });
    const id = `sim-${randomBytes(8).toString('hex')}`;
    const stat = msg.to === SMS_MAGIC.undelivered ? 'UNDELIV' : msg.to === SMS_MAGIC.expired ? 'EXPIRED' : 'DELIVRD';
    const status = stat === 'DELIVRD' ? 'delivered' : stat === 'UNDELIV' ? 'undelivered' : 'failed';
    const [lo, hi] = this.delay;
    const delayMs = Math.round(lo + Math.random() * (hi - lo));
    return { ok: true, providerMessageIds: [id], simulatedReceipt: { status, detail: stat, delayMs } };
  }

  async close(): Promise<void> {}
}
