import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { openSession } from '../../modules/people/sessions.ts';
import { completeSetup, setupNeeded } from '../../modules/people/setup.ts';
import { publicRoute } from '../route.ts';
import { meSchema } from '../schemas/auth.ts';
import { setupBody, setupStatusSchema } from '../schemas/signup.ts';
import { client, signedInAnswer } from '../sign-in.ts';

const tag = 'auth';

/** First run: the page behind the setup link the server prints while no user exists. */
export function setupRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  publicRoute(
    app,
    { method: 'GET', url: '/auth/setup', tag, summary: 'Whether the installation still waits for its first user (the setup link)', schema: { response: { 200: setupStatusSchema } } },
    async () => ({ needed: await setupNeeded(ctx) }),
  );
  publicRoute(
    app,
    {
      method: 'POST',
      url: '/auth/setup',
      tag,
      summary: 'Spend the setup link: creates the first user (an operator, owner of a new account) and signs them in',
      schema: { body: setupBody, response: { 200: meSchema } },
    },
    async (req, reply) => {
      const user = await completeSetup(ctx, req.body, req.ip);
      return signedInAnswer(ctx, req, reply, user.id, await openSession(ctx, ctx.people.settings, user.id, client(req)));
    },
  );
}
