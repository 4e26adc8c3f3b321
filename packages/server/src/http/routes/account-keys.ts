import type { FastifyInstance } from 'fastify';
import { validationError } from '../../lib/errors.ts';
import { parseRfc3339 } from '../../lib/time.ts';
import { createAccountKey, listAccountKeys, revokeAccountKey, rotateAccountKey } from '../../modules/access/account-keys.ts';
import type { ModuleContext } from '../../modules/context.ts';
import { managed } from '../route.ts';
import { keyCreateBody, keyPageSchema, keyParams, keyRotateBody, keyRotatedSchema, keySchema, keysQuery, newKeySchema } from '../schemas/account-keys.ts';

const tag = 'keys';

/** An RFC 3339 `expires_at` of a request: epoch ms, null for none; 422 when malformed. */
function expiryOf(text: string | null | undefined): number | null {
  if (text == null) return null;
  const ms = parseRfc3339(text);
  if (ms === null) throw validationError([{ field: 'expires_at', message: 'must be an RFC 3339 timestamp' }]);
  return ms;
}

/** /accounts/:account_id/keys: list, create (shown once), revoke and rotate API keys. */
export function accountKeyRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  managed(
    app,
    { method: 'GET', url: '/keys', permission: 'keys:read', tag, summary: "The account's API keys, newest first (never the keys themselves)", schema: { querystring: keysQuery, response: { 200: keyPageSchema } } },
    async (req, actor) => listAccountKeys(ctx, actor.accountId, req.query),
  );
  managed(
    app,
    {
      method: 'POST',
      url: '/keys',
      permission: 'keys:write',
      tag,
      summary: 'Create an API key: the answer holds the key, shown this once',
      schema: { body: keyCreateBody, response: { 200: newKeySchema } },
    },
    async (req, actor) => {
      const b = req.body;
      return createAccountKey(ctx, actor, actor.accountId, { name: b.name, scopes: b.scopes, test: b.test ?? false, expiresAt: expiryOf(b.expires_at) });
    },
  );
  managed(
    app,
    {
      method: 'POST',
      url: '/keys/:id/revoke',
      permission: 'keys:write',
      tag,
      summary: 'Revoke an API key, at once and everywhere',
      schema: { params: keyParams, response: { 200: keySchema } },
    },
    async (req, actor) => revokeAccountKey(ctx, actor, actor.accountId, req.params.id),
  );
  managed(
    app,
    {
      method: 'POST',
      url: '/keys/:id/rotate',
      permission: 'keys:write',
      tag,
      summary: 'Rotate an API key: a new key (shown once) with the same settings; the old one works for overlap_seconds more',
      schema: { params: keyParams, body: keyRotateBody, response: { 200: keyRotatedSchema } },
    },
    async (req, actor) => {
      const b = req.body ?? {};
      return rotateAccountKey(ctx, actor, actor.accountId, req.params.id, {
        ...(b.overlap_seconds !== undefined ? { overlapSeconds: b.overlap_seconds } : {}),
        expiresAt: expiryOf(b.expires_at),
      });
    },
  );
}
