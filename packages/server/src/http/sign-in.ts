import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError, notFound } from '../lib/errors.ts';
import { sameSecret } from '../lib/secrets.ts';
import type { ModuleContext } from '../modules/context.ts';
import { csrfTokenOf, resolveSession, SESSION_COOKIE } from '../modules/people/sessions.ts';
import { userView } from '../modules/people/users.ts';
import { setSessionCookie } from './session.ts';

/** The signed-in person, their accounts and their CSRF token (GET /auth/me and every answer that signs someone in). */
export async function me(ctx: ModuleContext, userId: string, session: { id: string; expires_at: number }, secret: string) {
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

/** The client of a request, as sessions and the audit log record it. */
export function client(req: FastifyRequest) {
  const ua = req.headers['user-agent'];
  return { ip: req.ip, userAgent: typeof ua === 'string' ? ua : null };
}

/** Sets the cookie of a session just opened and answers as POST /auth/login does. */
export async function signedInAnswer(
  ctx: ModuleContext,
  req: FastifyRequest,
  reply: FastifyReply,
  userId: string,
  opened: { secret: string; session: { id: string; created_at: number; expires_at: number } },
) {
  setSessionCookie(req, reply, opened.secret, opened.session.expires_at - opened.session.created_at);
  return me(ctx, userId, opened.session, opened.secret);
}

/** A session as resolveSession finds it. */
type LiveSession = NonNullable<Awaited<ReturnType<typeof resolveSession>>>['session'];

/**
 * The session of a request to a public route that also serves signed-in people (accepting an
 * invitation): the cookie names a live session and the request carries its CSRF token; else null.
 * A live cookie without the token is refused (csrf_failed) unless the request does not need the
 * session (`optional`: it signs in by itself).
 */
export async function sessionOf(ctx: ModuleContext, req: FastifyRequest, optional: boolean): Promise<{ userId: string; secret: string; session: LiveSession } | null> {
  const secret = req.cookies[SESSION_COOKIE];
  const found = secret ? await resolveSession(ctx, ctx.people.settings, secret) : null;
  if (!secret || !found) return null;
  const token = req.headers['x-csrf-token'];
  if (typeof token === 'string' && sameSecret(token, csrfTokenOf(secret))) return { userId: found.user.id, secret, session: found.session };
  if (optional) return null;
  throw new AppError('csrf_failed');
}
