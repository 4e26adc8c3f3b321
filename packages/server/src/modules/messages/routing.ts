import { validationError } from '../../lib/errors.ts';
import type { Channels, RoutedChannel } from '../../providers/channels.ts';
import type { SmsProvider } from '../../providers/sms/sms-provider.ts';
import type { VoiceProvider } from '../../providers/voice/voice-provider.ts';
import type { RouteRow } from '../../store/repos/routes.ts';
import type { Store } from '../../store/store.ts';
import type { Deps } from '../deps.ts';

const ROUTED: readonly RoutedChannel[] = ['sms', 'voice'];

/**
 * The providers to try for a destination, in order: the longest-prefix route's provider and then
 * its fallback; the default provider when no route matches. Names this process does not know (a
 * route written for a provider that is not configured here) are skipped.
 */
function byRoutes<P>(routes: readonly RouteRow[], named: ReadonlyMap<string, P>, defaultName: string, to: string): P[] {
  const digits = to.replace(/^\+/, '');
  let best: RouteRow | undefined;
  for (const r of routes) {
    if (digits.startsWith(r.prefix) && (!best || r.prefix.length > best.prefix.length)) best = r;
  }
  const names = best ? [best.provider, ...(best.fallback ? [best.fallback] : [])] : [defaultName];
  const providers = names.map((n) => named.get(n)).filter((p): p is P => p !== undefined);
  return providers.length > 0 ? providers : [named.get(defaultName)!];
}

/** The SMS providers to try for a destination (the simulator alone for a sandbox message). */
export async function smsProvidersFor(store: Store, channels: Channels, sandbox: boolean, to: string): Promise<SmsProvider[]> {
  return smsProvidersByRoutes(sandbox ? [] : await store.routes.list('sms'), channels, sandbox, to);
}

/** `smsProvidersFor` with the SMS routes already read (a delivery batch reads them once). */
export function smsProvidersByRoutes(routes: readonly RouteRow[], channels: Channels, sandbox: boolean, to: string): SmsProvider[] {
  if (sandbox) return [channels.smsSandbox];
  return byRoutes(routes, channels.sms, channels.defaultSms, to);
}

/** The voice trunks to try for a call, in order (the simulator alone for a sandbox call). */
export async function voiceProvidersFor(store: Store, channels: Channels, sandbox: boolean, to: string): Promise<VoiceProvider[]> {
  if (sandbox) return [channels.voiceSandbox];
  return byRoutes(await store.routes.list('voice'), channels.voice, channels.defaultVoice, to);
}

/** Sets the route for a prefix ("" = every destination without a longer match). */
export async function setRoute(
  { store, clock }: Deps,
  known: (channel: RoutedChannel) => readonly string[],
  r: { channel: string; prefix: string; provider: string; fallback: string | null },
): Promise<RouteRow> {
  const errors = [];
  const channel = ROUTED.find((c) => c === r.channel);
  if (!channel) errors.push({ field: 'channel', message: `must be one of ${ROUTED.join(', ')}` });
  if (!/^\d{0,15}$/.test(r.prefix)) errors.push({ field: 'prefix', message: 'must be digits (no "+")' });
  if (channel) {
    const names = known(channel);
    for (const [field, name] of [['provider', r.provider], ['fallback', r.fallback]] as const) {
      if (name !== null && !names.includes(name)) errors.push({ field, message: `unknown ${channel} provider "${name}" (known: ${names.join(', ')})` });
    }
  }
  if (r.fallback !== null && r.fallback === r.provider) errors.push({ field: 'fallback', message: 'must differ from the provider' });
  if (errors.length) throw validationError(errors);
  const row: RouteRow = { ...r, created_at: clock.now() };
  await store.routes.set(row);
  return row;
}
