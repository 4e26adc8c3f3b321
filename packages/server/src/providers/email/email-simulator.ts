import type { InboxEntry } from '../sms/sms-simulator.ts';
import { connectionless, type ProviderState } from '../provider-state.ts';
import type { EmailProvider, EmailSend, EmailSendResult } from './email-provider.ts';

/** Test addresses with a fixed fate (docs/simulators.md). Every other address is delivered. */
export const EMAIL_MAGIC = {
  /** The receiving server answers 550: bounced, refunded. */
  bounce: 'bounce@simulator.hellio.dev',
  /** The first attempt is greylisted (451); the retry is delivered. */
  greylist: 'greylist@simulator.hellio.dev',
} as const;

const address = (s: string) => (/<([^>]+)>\s*$/.exec(s)?.[1] ?? s).trim().toLowerCase();

/** A mail server that accepts, bounces or greylists like a real one, and keeps what it received. */
export class EmailSimulator implements EmailProvider {
  readonly name = 'simulator';
  private readonly attempts = new Map<string, number>();

  constructor(private readonly opts: { inbox: (entry: InboxEntry) => Promise<void> }) {}

  async send(msg: EmailSend): Promise<EmailSendResult> {
    const rcpts = [...msg.to, ...msg.cc, ...msg.bcc].map(address);
    if (rcpts.includes(EMAIL_MAGIC.bounce)) {
      return { ok: false, retryable: false, error: '550 5.1.1 mailbox unavailable', responseCode: 550 };
    }
    if (rcpts.includes(EMAIL_MAGIC.greylist)) {
      const n = (this.attempts.get(msg.messageId) ?? 0) + 1;
      this.attempts.set(msg.messageId, n);
      if (n === 1) return { ok: false, retryable: true, error: '451 4.7.1 greylisted, try again later', responseCode: 451 };
    }
    const body = msg.text ?? msg.html ?? '';
    for (const r of rcpts) {
      await this.opts.inbox({ messageId: msg.messageId, channel: 'email', sender: msg.from, recipient: r, subject: msg.subject, body });
    }
    return { ok: true, providerMessageId: `<${msg.messageId}@simulator.hellio.dev>`, response: '250 2.0.0 OK (simulated)' };
  }

  state(): ProviderState {
    return connectionless('simulator');
  }

  async close(): Promise<void> {}
}
