import { timingSafeEqual } from 'node:crypto';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../lib/errors.ts';
import type { Channels } from '../../providers/channels.ts';

interface CallbackReceiver {
  handleCallback(body: Record<string, unknown>): boolean;
}

function canTakeCallbacks(p: unknown): p is CallbackReceiver {
  return typeof (p as CallbackReceiver).handleCallback === 'function';
}

interface InboundReceiver {
  handleInbound(body: Record<string, unknown>): Promise<boolean>;
}

function canTakeInbound(p: unknown): p is InboundReceiver {
  return typeof (p as InboundReceiver).handleInbound === 'function';
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** What both callbacks take: the provider's name in the path, the shared token in the query, the provider's JSON. */
const callbackSchema = (summary: string) =>
  ({
    tags: ['providers'],
    security: [{ providerToken: [] }],
    summary,
    params: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
    querystring: { type: 'object', required: ['token'], properties: { token: { type: 'string' } } },
    body: { type: 'object', additionalProperties: true },
  }) as const;

/**
 * HTTP SMS providers' callbacks, the shared token standing in for an API key (providers cannot
 * hold ours): POST /providers/{name}/receipts (delivery status) and POST /providers/{name}/inbound
 * (a reply to one of the numbers, answered once stored: a failure answers 5xx and the provider
 * sends it again).
 */
export function providerCallbackRoutes(app: FastifyInstance, channels: Channels, token: string | null): void {
  if (token === null) return;
  const api = app.withTypeProvider<JsonSchemaToTsProvider>();
  api.post('/providers/:name/receipts', { schema: callbackSchema("An HTTP SMS provider's delivery status callback") }, async (req, reply) => {
    if (!sameSecret(req.query.token, token)) throw new AppError('invalid_credentials');
    const provider = channels.sms.get(req.params.name);
    if (!provider || !canTakeCallbacks(provider)) throw new AppError('not_found', 'No such provider');
    const applied = provider.handleCallback(req.body);
    return reply.code(200).send({ received: true, applied });
  });
  api.post(
    '/providers/:name/inbound',
    { schema: callbackSchema("An HTTP SMS provider's inbound message (a reply to one of the numbers); answered once stored") },
    async (req, reply) => {
      if (!sameSecret(req.query.token, token)) throw new AppError('invalid_credentials');
      const provider = channels.sms.get(req.params.name);
      if (!provider || !canTakeInbound(provider)) throw new AppError('not_found', 'No such provider');
      const stored = await provider.handleInbound(req.body);
      return reply.code(200).send({ received: true, stored });
    },
  );
}
