import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { beginTotp, disableTotp, enableTotp, regenerateRecoveryCodes } from '../../modules/people/totp.ts';
import { signedIn } from '../route.ts';
import { codeBody, recoveryCodesSchema, totpDisableBody, totpOffSchema, totpSetupSchema } from '../schemas/totp.ts';

const tag = 'auth';

/** The optional second factor (TOTP, RFC 6238) of the signed-in person, and its recovery codes. */
export function totpRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  signedIn(
    app,
    {
      method: 'POST',
      url: '/auth/totp/setup',
      tag,
      summary: 'Start turning the second factor on: a new secret and its otpauth:// URI (pending until enabled with a code)',
      schema: { response: { 200: totpSetupSchema } },
    },
    async (_req, actor) => beginTotp(ctx, actor),
  );
  signedIn(
    app,
    {
      method: 'POST',
      url: '/auth/totp/enable',
      tag,
      summary: 'Turn the second factor on with a code from the new secret; answers ten recovery codes, shown once',
      schema: { body: codeBody, response: { 200: recoveryCodesSchema } },
    },
    async (req, actor) => enableTotp(ctx, ctx.people, actor, req.body.code),
  );
  signedIn(
    app,
    {
      method: 'POST',
      url: '/auth/totp/disable',
      tag,
      summary: 'Turn the second factor off (password and a current or recovery code)',
      schema: { body: totpDisableBody, response: { 200: totpOffSchema } },
    },
    async (req, actor) => disableTotp(ctx, ctx.people, actor, req.body),
  );
  signedIn(
    app,
    {
      method: 'POST',
      url: '/auth/totp/recovery-codes',
      tag,
      summary: 'Replace the recovery codes with ten new ones, shown once (a current code)',
      schema: { body: codeBody, response: { 200: recoveryCodesSchema } },
    },
    async (req, actor) => regenerateRecoveryCodes(ctx, ctx.people, actor, req.body.code),
  );
}
