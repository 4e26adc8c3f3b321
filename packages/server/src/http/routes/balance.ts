import type { FastifyInstance } from 'fastify';
import { formatMicros } from '../../lib/money.ts';
import type { ModuleContext } from '../../modules/context.ts';
import { balanceOf } from '../../modules/wallet.ts';
import { balanceResponse, errorResponses } from '../schemas.ts';

const cap = (c: { limit: number | null; used: number }) => ({
  limit: c.limit === null ? null : formatMicros(c.limit),
  used: formatMicros(c.used),
});

export function balanceRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  app.get(
    '/balance',
    {
      config: { scope: 'balance' },
      schema: {
        tags: ['wallet'],
        summary: 'Wallet balance and spend caps',
        security: [{ apiKey: [] }],
        response: { 200: balanceResponse, ...errorResponses },
      },
    },
    async (req) => {
      const b = await balanceOf(ctx.store, req.principal!.accountId);
      return {
        balance: formatMicros(b.balance),
        currency: ctx.currency,
        spend_caps: { daily: cap(b.daily), monthly: cap(b.monthly) },
      };
    },
  );
}
