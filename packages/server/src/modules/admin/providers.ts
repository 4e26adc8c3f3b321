import type { Channels } from '../../providers/channels.ts';
import type { EmailProvider } from '../../providers/email/email-provider.ts';
import type { SmsProvider } from '../../providers/sms/sms-provider.ts';
import type { VoiceProvider } from '../../providers/voice/voice-provider.ts';
import { JOB_POLICIES } from '../../queue/catalogue.ts';
import type { Deps } from '../deps.ts';

function providerView(channel: 'sms' | 'email' | 'voice', p: SmsProvider | EmailProvider | VoiceProvider, roles: { default: boolean; sandbox: boolean }) {
  const s = p.state();
  return {
    name: p.name,
    channel,
    kind: s.kind,
    default: roles.default,
    sandbox: roles.sandbox,
    link: s.link,
    bound: s.link === null ? null : s.link === 'bound',
    in_flight: s.inFlight,
    queued: s.queued,
    last_error: s.lastError,
  };
}

/**
 * Every SMS, voice and email provider of this process with its live state: what it is, whether it carries
 * live traffic by default or sandbox (cs_test_) traffic, and its link (SMPP: bound or not). The
 * state is the answering process's own view (docs/admin.md).
 */
export function providerStates(channels: Channels) {
  const sms = [...channels.sms.values()].map((p) => providerView('sms', p, { default: p.name === channels.defaultSms, sandbox: p === channels.smsSandbox }));
  if (![...channels.sms.values()].includes(channels.smsSandbox)) sms.push(providerView('sms', channels.smsSandbox, { default: false, sandbox: true }));
  const live = channels.email(false);
  const sandbox = channels.email(true);
  const email = live === sandbox ? [providerView('email', live, { default: true, sandbox: true })] : [providerView('email', live, { default: true, sandbox: false }), providerView('email', sandbox, { default: false, sandbox: true })];
  const voice = [...channels.voice.values()].map((p) => providerView('voice', p, { default: p.name === channels.defaultVoice, sandbox: p === channels.voiceSandbox }));
  if (![...channels.voice.values()].includes(channels.voiceSandbox)) voice.push(providerView('voice', channels.voiceSandbox, { default: false, sandbox: true }));
  return [...sms, ...voice, ...email];
}

/**
 * The job queue per kind (every kind of the catalogue, idle ones with zeros): waiting, due now,
 * running, and how long the oldest due job has waited past its time.
 */
export async function queueDepth({ store, clock }: Deps) {
  const now = clock.now();
  const byKind = new Map((await store.jobs.depth(now)).map((d) => [d.kind, d]));
  const kinds = [...new Set([...Object.keys(JOB_POLICIES), ...byKind.keys()])].sort();
  return kinds.map((kind) => {
    const d = byKind.get(kind);
    return {
      kind,
      pending: d?.pending ?? 0,
      due: d?.due ?? 0,
      running: d?.running ?? 0,
      oldest_due_age_seconds: d?.oldest_due_at == null ? null : Math.max(0, Math.floor((now - d.oldest_due_at) / 1000)),
    };
  });
}
