import type { EmailProvider } from './email/email-provider.ts';
import type { SmsProvider } from './sms/sms-provider.ts';

/**
 * Which adapter carries a message. Sandbox (cs_test_) messages always go to the simulators;
 * live ones to the configured network, or the simulator when none is configured.
 */
export interface Channels {
  sms(sandbox: boolean): SmsProvider;
  email(sandbox: boolean): EmailProvider;
  close(): Promise<void>;
}

export function makeChannels(parts: {
  smsLive: SmsProvider;
  smsSandbox: SmsProvider;
  emailLive: EmailProvider;
  emailSandbox: EmailProvider;
}): Channels {
  const all = [...new Set<SmsProvider | EmailProvider>([parts.smsLive, parts.smsSandbox, parts.emailLive, parts.emailSandbox])];
  return {
    sms: (sandbox) => (sandbox ? parts.smsSandbox : parts.smsLive),
    email: (sandbox) => (sandbox ? parts.emailSandbox : parts.emailLive),
    close: async () => {
      await Promise.allSettled(all.map((p) => p.close()));
    },
  };
}
