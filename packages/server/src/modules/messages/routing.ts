import { validationError } from '../../lib/errors.ts';
import type { Channels } from '../../providers/channels.ts';
import type { SmsProvider } from '../../providers/sms/sms-provider.ts';
import type { RouteRow } from '../../store/repos/routes.ts';
import type { Store } from '../../store/store.ts';
import type { Deps } from '../deps.ts';

/**
 * The SMS providers to try for a destination, in order: the longest-prefix route's provider and
 * then its fallback; the default provider when no route matches. Names this process does not
 * know (a route written for a provider that is not configured here) are skipped.
 */
export async function smsProvidersFor(store: Store, channels: Channels, sandbox: boolean, to: string): Promise<SmsProvider[]> {
  return smsProvidersByRoutes(sandbox ? [] : await store.routes.list('sms'), channels, sandbox, to);
}

/** `smsProvidersFor` with the SMS routes already read (a delivery batch reads them once). */
export function smsProvidersByRoutes(routes: readonly RouteRow[], channels: Channels, sandbox: boolean, to: string): SmsProvider[] {
  if (sandbox) return [channels.smsSandbox];
  const digits = to.replace(/^\+/, '');
  let best: RouteRow | undefined;
  for (const r of routes) {
    if (digits.startsWith(r.prefix) && (!best || r.prefix.length > best.prefix.length)) best = r;
  }
  const names = best ? [best.provider, ...(best.fallback ? [best.fallback] : [])] : [channels.defaultSms];
  const providers = names.map((n) => channels.sms.get(n)).filter((p): p is SmsProvider => p !== undefined);
  return providers.length > 0 ? providers : [channels.sms.get(channels.defaultSms)!];
}

/** Sets the route for a prefix ("" = every destination without a longer match). */
export async function setRoute(
  { store, clock }: Deps,
  known: readonly string[],
  r: { channel: string; prefix: string; provider: string; fallback: string | null },
): Promise<RouteRow> {
  const errors = [];
  if (r.channel !== 'sms') errors.push({ field: 'channel', message: 'only sms has routes so far' });
  if (!/^\d{0,15}$/.test(r.prefix)) errors.push({ field: 'prefix', message: 'must be digits (no "+")' });
  for (const [field, name] of [['provider', r.provider], ['fallback', r.fallback]] as const) {
    if (name !== null && !known.includes(name)) errors.push({ field, message: `unknown provider "${name}" (known: ${known.join(', ')})` });
  }
  if (r.fallback !== null && r.fallback === r.provider) errors.push({ field: 'fallback', message: 'must differ from the provider' });
  if (errors.length) throw validationError(errors);
  const row: RouteRow = { ...r, created_at: clock.now() };
  await store.routes.set(row);
  return row;
}
