import type { FastifyInstance } from 'fastify';
import { formatMicros } from '../../lib/money.ts';
import { balanceOf } from '../../modules/billing/wallet.ts';
import type { ModuleContext } from '../../modules/context.ts';
import { authenticated } from '../route.ts';
import { balanceResponse } from '../schemas/balance.ts';

const cap = (c: { limit: number | null; used: number }) => ({
  limit: c.limit === null ? null : formatMicros(c.limit),
  used: formatMicros(c.used),
});

/** GET /balance. */
export function balanceRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  authenticated(
    app,
    { method: 'GET', url: '/balance', session: 'billing:read', scope: 'balance', tag: 'wallet', summary: 'Wallet balance and spend caps', schema: { response: { 200: balanceResponse } } },
    async (_req, principal) => {
      const b = await balanceOf(ctx, principal.accountId);
      return { balance: formatMicros(b.balance), currency: ctx.currency, spend_caps: { daily: cap(b.daily), monthly: cap(b.monthly) } };
    },
  );
}
