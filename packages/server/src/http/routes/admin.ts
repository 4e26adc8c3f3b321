import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import type { Channels } from '../../providers/channels.ts';
import { adminAccountRoutes } from './admin-accounts.ts';
import { adminNetworkRoutes } from './admin-network.ts';
import { adminPeopleRoutes } from './admin-people.ts';

/**
 * /admin: the operators' console as an API (SPEC §5). Every route is for operators only (the
 * session hook answers 403 forbidden to anyone else), and every change writes an audit row in its
 * own transaction (docs/admin.md).
 */
export function adminRoutes(app: FastifyInstance, ctx: ModuleContext, channels: Channels): void {
  adminAccountRoutes(app, ctx);
  adminNetworkRoutes(app, ctx, channels);
  adminPeopleRoutes(app, ctx);
}
