import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import type { Actor } from '../../modules/people/actor.ts';
import { login } from '../../modules/people/login.ts';
import { csrfTokenOf, listSessions, revokeAllSessions, revokeSession } from '../../modules/people/sessions.ts';
import { userView } from '../../modules/people/users.ts';
import { notFound } from '../../lib/errors.ts';
import { publicRoute, signedIn } from '../route.ts';
import { idParams } from '../schemas/common.ts';
import { loginBody, meSchema, okSchema, revokedCountSchema, revokedSchema, sessionListSchema } from '../schemas/auth.ts';
import { clearSessionCookie, setSessionCookie } from '../session.ts';

const tag = 'auth';

/** The signed-in person, their accounts and their CSRF token (GET /auth/me and the sign-in answer). */
async function me(ctx: ModuleContext, userId: string, session: { id: string; expires_at: number }, secret: string) {
  const user = await ctx.store.users.get(userId);
  if (!user) throw notFound('User');
  const accounts = await ctx.store.users.accountsOf(userId);
  return {
    user: userView(user),
    accounts: accounts.map((m) => ({ id: m.account_id, name: m.account_name, status: m.account_status, role: m.role })),
    csrf_token: csrfTokenOf(secret),
    session: { id: session.id, expires_at: new Date(session.expires_at).toISOString() },
  };
}

function client(req: FastifyRequest) {
  const ua = req.headers['user-agent'];
  return { ip: req.ip, userAgent: typeof ua === 'string' ? ua : null };
}

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
      setSessionCookie(req, reply, secret, session.expires_at - session.created_at);
      return me(ctx, user.id, session, secret);
    },
  );
  signedIn(app, { method: 'GET', url: '/auth/me', tag, summary: 'Who is signed in, their accounts and roles, and the CSRF token', schema: { response: { 200: meSchema } } }, async (req, actor) => {
    const session = await ctx.store.sessions.get(actor.sessionId);
    return me(ctx, actor.userId, session!, secretOf(req, actor));
  });
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
