import type { Channels } from '../../providers/channels.ts';
import type { RouteRow } from '../../store/repos/routes.ts';
import type { Store } from '../../store/store.ts';
import type { Deps } from '../deps.ts';
import { setRoute } from '../messages/routing.ts';
import type { AuditActor } from '../people/actor.ts';
import { audit } from '../people/audit.ts';

/** A route as the console and the CLI show it. */
export function routeView(r: Pick<RouteRow, 'channel' | 'prefix' | 'provider' | 'fallback'>) {
  return { channel: r.channel, prefix: r.prefix, provider: r.provider, fallback: r.fallback };
}

const sameRoute = (channel: string, prefix: string) => (r: RouteRow) => r.channel === channel && r.prefix === prefix;

/** The routes, the default SMS and voice providers and the providers this process knows. */
export async function listRoutes(store: Store, channels: Channels) {
  return {
    default_sms: channels.defaultSms,
    providers: channels.known('sms'),
    default_voice: channels.defaultVoice,
    voice_providers: channels.known('voice'),
    data: (await store.routes.list()).map(routeView),
  };
}

/** Sets the route of a prefix (audited as route.set, with the route it replaced). */
export async function setRouteAs(
  { store, clock }: Deps,
  actor: AuditActor,
  known: Channels['known'],
  r: { channel: string; prefix: string; provider: string; fallback: string | null },
) {
  return store.transaction(async (tx) => {
    const before = (await tx.routes.list(r.channel)).find(sameRoute(r.channel, r.prefix));
    const row = await setRoute({ store: tx, clock }, known, r);
    await audit(tx, actor, { accountId: null, action: 'route.set', target: `${row.channel}:${row.prefix}`, before: before ? routeView(before) : null, after: routeView(row) }, row.created_at);
    return routeView(row);
  });
}

/** Removes the route of a prefix (audited as route.remove); false when there was none. */
export async function removeRouteAs({ store, clock }: Deps, actor: AuditActor, channel: string, prefix: string): Promise<boolean> {
  return store.transaction(async (tx) => {
    const before = (await tx.routes.list(channel)).find(sameRoute(channel, prefix));
    if (!before || !(await tx.routes.remove(channel, prefix))) return false;
    await audit(tx, actor, { accountId: null, action: 'route.remove', target: `${channel}:${prefix}`, before: routeView(before) }, clock.now());
    return true;
  });
}
