import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { confirmPasswordReset, requestPasswordReset } from '../../modules/people/password-reset.ts';
import { publicRoute } from '../route.ts';
import { checkEmailSchema, passwordChangedSchema, resetConfirmBody, resetRequestBody } from '../schemas/signup.ts';

const tag = 'auth';

/** "Forgot password": the emailed link, and the new password it sets. */
export function passwordResetRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  publicRoute(
    app,
    {
      method: 'POST',
      url: '/auth/password-reset',
      tag,
      summary: 'Email a single-use reset link to the address, if it has a user (the answer is the same either way)',
      schema: { body: resetRequestBody, response: { 202: checkEmailSchema } },
    },
    async (req, reply) => reply.code(202).send(await requestPasswordReset(ctx, ctx.people, req.body.email, req.ip)),
  );
  publicRoute(
    app,
    {
      method: 'POST',
      url: '/auth/password-reset/confirm',
      tag,
      summary: 'Spend a reset link on a new password; every session of the user ends',
      schema: { body: resetConfirmBody, response: { 200: passwordChangedSchema } },
    },
    async (req) => confirmPasswordReset(ctx, req.body.token, req.body.password, req.ip),
  );
}
