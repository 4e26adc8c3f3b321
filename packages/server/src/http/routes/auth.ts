import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import type { Actor } from '../../modules/people/actor.ts';
import { login } from '../../modules/people/login.ts';
import { changeOwnPassword, renameSelf } from '../../modules/people/profile.ts';
import { listSessions, revokeAllSessions, revokeSession } from '../../modules/people/sessions.ts';
import { publicRoute, signedIn } from '../route.ts';
import { idParams } from '../schemas/common.ts';
import { loginBody, meSchema, okSchema, passwordChangeBody, passwordChangedSchema, renameBody, revokedCountSchema, revokedSchema, sessionListSchema } from '../schemas/auth.ts';
import { clearSessionCookie } from '../session.ts';
import { client, me, signedInAnswer } from '../sign-in.ts';

const tag = 'auth';

function secretOf(req: FastifyRequest, actor: Actor): string {
  // The session hook set both; a session route without them would be a wiring bug.
  if (req.sessionSecret === null) throw new Error(`session route without a session secret (${actor.sessionId})`);
  return req.sessionSecret;
}

/** /auth: signing in and out, who is signed in, and their sessions. */
export function authRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  publicRoute(
    app,
    {
      method: 'POST',
      url: '/auth/login',
      tag,
      summary: 'Sign in: sets the session cookie and answers who is signed in, with the CSRF token',
      schema: { body: loginBody, response: { 200: meSchema } },
    },
    async (req, reply) => {
      const { secret, session, user } = await login(ctx, ctx.people, req.body, client(req));
      return signedInAnswer(ctx, req, reply, user.id, { secret, session });
    },
  );
  signedIn(app, { method: 'GET', url: '/auth/me', tag, summary: 'Who is signed in, their accounts and roles, and the CSRF token', schema: { response: { 200: meSchema } } }, async (req, actor) => {
    const session = await ctx.store.sessions.get(actor.sessionId);
    return me(ctx, actor.userId, session!, secretOf(req, actor));
  });
  signedIn(
    app,
    { method: 'PATCH', url: '/auth/me', tag, summary: 'Change your name; answers as GET /auth/me', schema: { body: renameBody, response: { 200: meSchema } } },
    async (req, actor) => {
      await renameSelf(ctx, actor, req.body.name);
      const session = await ctx.store.sessions.get(actor.sessionId);
      return me(ctx, actor.userId, session!, secretOf(req, actor));
    },
  );
  signedIn(
    app,
    {
      method: 'POST',
      url: '/auth/password',
      tag,
      summary: 'Change your password (with the current one); ends every session of yours, this one too',
      schema: { body: passwordChangeBody, response: { 200: passwordChangedSchema } },
    },
    async (req, actor, reply) => {
      const answer = await changeOwnPassword(ctx, ctx.people, actor, req.body);
      clearSessionCookie(req, reply);
      return answer;
    },
  );
  signedIn(app, { method: 'POST', url: '/auth/logout', tag, summary: 'Sign out: ends this session and clears its cookie', schema: { response: { 200: okSchema } } }, async (req, actor, reply) => {
    await revokeSession(ctx, actor.userId, actor.sessionId);
    clearSessionCookie(req, reply);
    return { ok: true };
  });
  signedIn(app, { method: 'GET', url: '/auth/sessions', tag, summary: 'Your live sessions, newest first', schema: { response: { 200: sessionListSchema } } }, async (_req, actor) =>
    listSessions(ctx, ctx.people.settings, actor.userId, actor.sessionId),
  );
  signedIn(
    app,
    { method: 'DELETE', url: '/auth/sessions/:id', tag, summary: 'End one of your sessions', schema: { params: idParams('ses'), response: { 200: revokedSchema } } },
    async (req, actor) => revokeSession(ctx, actor.userId, req.params.id),
  );
  signedIn(
    app,
    {
      method: 'POST',
      url: '/auth/sessions/revoke-all',
      tag,
      summary: 'Log out everywhere: ends every session of yours but this one',
      schema: { response: { 200: revokedCountSchema } },
    },
    async (_req, actor) => revokeAllSessions(ctx, actor.userId, actor.sessionId),
  );
}
