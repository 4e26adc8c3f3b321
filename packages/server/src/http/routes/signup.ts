import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { signUp, verifyEmail } from '../../modules/people/signup.ts';
import { publicRoute } from '../route.ts';
import { checkEmailSchema, signupBody, tokenBody, verifiedSchema } from '../schemas/signup.ts';

const tag = 'auth';

/** Sign-up (HELLIO_SIGNUP) and the link that confirms the address. */
export function signupRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  publicRoute(
    app,
    {
      method: 'POST',
      url: '/auth/signup',
      tag,
      summary: 'Sign up: a user and a pending account, and a verification email. The same answer whether or not the address already has a user',
      schema: { body: signupBody, response: { 202: checkEmailSchema } },
    },
    async (req, reply) => reply.code(202).send(await signUp(ctx, ctx.people, req.body, req.ip)),
  );
  publicRoute(
    app,
    {
      method: 'POST',
      url: '/auth/verify-email',
      tag,
      summary: 'Spend a verification link: confirms the address (and, with HELLIO_SIGNUP=open, activates the account made at sign-up)',
      schema: { body: tokenBody, response: { 200: verifiedSchema } },
    },
    async (req) => verifyEmail(ctx, ctx.people, req.body.token, req.ip),
  );
}
