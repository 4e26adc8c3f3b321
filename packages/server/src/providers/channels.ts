import type { EmailProvider } from './email/email-provider.ts';
import type { SmsProvider } from './sms/sms-provider.ts';

/**
 * The adapters of this process by name, and which carries what by default. Sandbox (cs_test_)
 * messages always go to the simulators; live ones follow the routes (modules/routing.ts), or the
 * default: the configured network, else the simulator.
 */
export interface Channels {
  /** Live SMS providers by name ("simulator" always, "smpp" when configured, HTTP providers by their names). */
  readonly sms: ReadonlyMap<string, SmsProvider>;
  readonly defaultSms: string;
  readonly smsSandbox: SmsProvider;
  email(sandbox: boolean): EmailProvider;
  close(): Promise<void>;
}

export function makeChannels(parts: {
  sms: SmsProvider[];
  defaultSms: string;
  smsSandbox: SmsProvider;
  emailLive: EmailProvider;
  emailSandbox: EmailProvider;
}): Channels {
  const sms = new Map(parts.sms.map((p) => [p.name, p]));
  if (!sms.has(parts.defaultSms)) throw new Error(`no SMS provider named ${parts.defaultSms}`);
  const all = [...new Set<SmsProvider | EmailProvider>([...parts.sms, parts.smsSandbox, parts.emailLive, parts.emailSandbox])];
  return {
    sms,
    defaultSms: parts.defaultSms,
    smsSandbox: parts.smsSandbox,
    email: (sandbox) => (sandbox ? parts.emailSandbox : parts.emailLive),
    close: async () => {
      await Promise.allSettled(all.map((p) => p.close()));
    },
  };
}
