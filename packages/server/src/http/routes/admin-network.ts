import type { FastifyInstance } from 'fastify';
import { notFound } from '../../lib/errors.ts';
import { parseAmount } from '../../modules/admin/amounts.ts';
import { listPrices, quotePrice, removePrice, setPrice } from '../../modules/admin/prices.ts';
import { providerStates, queueDepth } from '../../modules/admin/providers.ts';
import { listRoutes, removeRouteAs, setRouteAs } from '../../modules/admin/routes.ts';
import type { ModuleContext } from '../../modules/context.ts';
import type { Channels } from '../../providers/channels.ts';
import { signedIn } from '../route.ts';
import {
  deletePriceBody,
  deleteRouteBody,
  priceListSchema,
  priceQuoteQuery,
  priceQuoteSchema,
  priceSchema,
  pricesQuery,
  providersSchema,
  putPriceBody,
  putRouteBody,
  removedSchema,
  routeItemSchema,
  routeListSchema,
} from '../schemas/admin.ts';

const tag = 'admin';
const operator = true;

/** /admin/prices, /admin/routes, /admin/providers: what sending costs and which network carries it. */
export function adminNetworkRoutes(app: FastifyInstance, ctx: ModuleContext, channels: Channels): void {
  signedIn(
    app,
    { method: 'GET', url: '/admin/prices', operator, tag, summary: 'The price list, of one channel or all', schema: { querystring: pricesQuery, response: { 200: priceListSchema } } },
    async (req) => listPrices(ctx.store, req.query.channel),
  );
  signedIn(
    app,
    {
      method: 'GET',
      url: '/admin/prices/quote',
      operator,
      tag,
      summary: 'What the platform would charge for one unit to a destination, and the prefix that decides it',
      schema: { querystring: priceQuoteQuery, response: { 200: priceQuoteSchema } },
    },
    async (req) => quotePrice(ctx.store, req.query),
  );
  signedIn(
    app,
    { method: 'PUT', url: '/admin/prices', operator, tag, summary: 'Set the rate of a channel for a destination prefix (audited: price.set)', schema: { body: putPriceBody, response: { 200: priceSchema } } },
    async (req, actor) => setPrice(ctx, actor, { channel: req.body.channel, prefix: req.body.prefix ?? '', price: parseAmount('price', req.body.price) }),
  );
  signedIn(
    app,
    { method: 'DELETE', url: '/admin/prices', operator, tag, summary: 'Remove a rate (audited: price.remove)', schema: { body: deletePriceBody, response: { 200: removedSchema } } },
    async (req, actor) => removePrice(ctx, actor, { channel: req.body.channel, prefix: req.body.prefix ?? '' }),
  );

  signedIn(
    app,
    {
      method: 'GET',
      url: '/admin/providers',
      operator,
      tag,
      summary: 'Every SMS and email provider with its live state (SMPP bound or not), and the job queue per kind',
      schema: { response: { 200: providersSchema } },
    },
    async () => ({ providers: providerStates(channels), queues: await queueDepth(ctx) }),
  );

  signedIn(
    app,
    { method: 'GET', url: '/admin/routes', operator, tag, summary: 'SMS and voice routes per destination prefix, the default providers and the known ones', schema: { response: { 200: routeListSchema } } },
    async () => listRoutes(ctx.store, channels),
  );
  signedIn(
    app,
    { method: 'PUT', url: '/admin/routes', operator, tag, summary: 'Set the route of a prefix, with an optional fallback (audited: route.set)', schema: { body: putRouteBody, response: { 200: routeItemSchema } } },
    async (req, actor) =>
      setRouteAs(ctx, actor, channels.known, {
        channel: req.body.channel ?? 'sms',
        prefix: req.body.prefix ?? '',
        provider: req.body.provider,
        fallback: req.body.fallback ?? null,
      }),
  );
  signedIn(
    app,
    { method: 'DELETE', url: '/admin/routes', operator, tag, summary: 'Remove the route of a prefix (audited: route.remove)', schema: { body: deleteRouteBody, response: { 200: removedSchema } } },
    async (req, actor) => {
      const channel = req.body.channel ?? 'sms';
      const prefix = req.body.prefix ?? '';
      if (!(await removeRouteAs(ctx, actor, channel, prefix))) throw notFound('Route');
      return { channel, prefix, removed: true };
    },
  );
}
