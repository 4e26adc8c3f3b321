import type { EmailProvider } from './email/email-provider.ts';
import type { SmsProvider } from './sms/sms-provider.ts';
import type { VoiceProvider } from './voice/voice-provider.ts';

/** The channels that have routes (a provider and a fallback per destination prefix). */
export type RoutedChannel = 'sms' | 'voice';

/**
 * The adapters of this process by name, and which carries what by default. Sandbox (cs_test_)
 * messages and calls always go to the simulators; live ones follow the routes
 * (modules/messages/routing.ts), or the default: the configured network, else the simulator.
 */
export interface Channels {
  /** Live SMS providers by name ("simulator" always, "smpp" when configured, HTTP providers by their names). */
  readonly sms: ReadonlyMap<string, SmsProvider>;
  readonly defaultSms: string;
  readonly smsSandbox: SmsProvider;
  /** Live voice providers by name ("simulator" always, "sip" for HELLIO_SIP_URL, more trunks by their names). */
  readonly voice: ReadonlyMap<string, VoiceProvider>;
  readonly defaultVoice: string;
  readonly voiceSandbox: VoiceProvider;
  email(sandbox: boolean): EmailProvider;
  /** The provider names a route of each channel may name. */
  known(channel: RoutedChannel): string[];
  close(): Promise<void>;
}

export function makeChannels(parts: {
  sms: SmsProvider[];
  defaultSms: string;
  smsSandbox: SmsProvider;
  voice: VoiceProvider[];
  defaultVoice: string;
  voiceSandbox: VoiceProvider;
  emailLive: EmailProvider;
  emailSandbox: EmailProvider;
}): Channels {
  const sms = new Map(parts.sms.map((p) => [p.name, p]));
  const voice = new Map(parts.voice.map((p) => [p.name, p]));
  if (!sms.has(parts.defaultSms)) throw new Error(`no SMS provider named ${parts.defaultSms}`);
  if (!voice.has(parts.defaultVoice)) throw new Error(`no voice provider named ${parts.defaultVoice}`);
  const all = [
    ...new Set<SmsProvider | EmailProvider | VoiceProvider>([
      ...parts.sms,
      parts.smsSandbox,
      ...parts.voice,
      parts.voiceSandbox,
      parts.emailLive,
      parts.emailSandbox,
    ]),
  ];
  return {
    sms,
    defaultSms: parts.defaultSms,
    smsSandbox: parts.smsSandbox,
    voice,
    defaultVoice: parts.defaultVoice,
    voiceSandbox: parts.voiceSandbox,
    email: (sandbox) => (sandbox ? parts.emailSandbox : parts.emailLive),
    known: (channel) => [...(channel === 'sms' ? sms : voice).keys()],
    close: async () => {
      await Promise.allSettled(all.map((p) => p.close()));
    },
  };
}
