import cookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../lib/errors.ts';
import { sameSecret } from '../lib/secrets.ts';
import type { ModuleContext } from '../modules/context.ts';
import { isPlatformAccount } from '../modules/people/platform-mail.ts';
import { roleCan } from '../modules/people/roles.ts';
import { csrfTokenOf, resolveSession, SESSION_COOKIE } from '../modules/people/sessions.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The first CSRF defence, for every state-changing request of a session or a sign-in form: a
 * browser says where a request comes from (Sec-Fetch-Site, Origin), and it must be this site.
 * Clients that are not browsers (curl, scripts) send neither and rely on the token alone.
 */
export function checkSameOrigin(req: FastifyRequest): void {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new AppError('csrf_failed');
  const origin = req.headers.origin;
  if (origin === undefined) return;
  // Both through URL, so that a default port written out (":80") compares equal to none.
  let same = false;
  try {
    same = new URL(origin).origin === new URL(`${req.protocol}://${req.host}`).origin;
  } catch {
    same = false;
  }
  if (!same) throw new AppError('csrf_failed');
}

/** Sets the session cookie: HttpOnly, SameSite=Lax, Secure when the request came over HTTPS. */
export function setSessionCookie(req: FastifyRequest, reply: FastifyReply, secret: string, maxAgeMs: number): void {
  reply.setCookie(SESSION_COOKIE, secret, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: req.protocol === 'https',
    maxAge: Math.floor(maxAgeMs / 1000),
  });
}

/** Clears the session cookie (sign-out, or a cookie that names no live session). */
export function clearSessionCookie(req: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: req.protocol === 'https' });
}

/**
 * Sessions on every route registered with `auth: 'session'` (http/route.ts): the cookie names a
 * live session; a state-changing request also passes the CSRF checks (same origin, and the
 * session's token in X-CSRF-Token); each session has a request limit a minute; operator routes
 * need the operator flag; account routes (/accounts/:account_id/…) need a membership whose role
 * grants the route's permission — an account the person is not a member of (or the platform's
 * mail account) answers 404, as if it did not exist.
 */
export async function installSessions(app: FastifyInstance, ctx: ModuleContext): Promise<void> {
  await app.register(cookie);
  app.decorateRequest('actor', null);
  app.decorateRequest('accountActor', null);
  app.decorateRequest('sessionSecret', null);

  app.addHook('onRequest', async (req, reply) => {
    const config = req.routeOptions.config;
    if (config.auth === 'public' && !SAFE_METHODS.has(req.method)) checkSameOrigin(req);
    if (config.auth !== 'session') return;
    const secret = req.cookies[SESSION_COOKIE];
    const found = secret ? await resolveSession(ctx, ctx.people.settings, secret) : null;
    if (!secret || !found) {
      if (secret) clearSessionCookie(req, reply);
      throw new AppError('not_signed_in');
    }
    if (!SAFE_METHODS.has(req.method)) {
      checkSameOrigin(req);
      const token = req.headers['x-csrf-token'];
      if (typeof token !== 'string' || !sameSecret(token, csrfTokenOf(secret))) throw new AppError('csrf_failed');
    }
    const { session, user } = found;
    // A session is a person at a dashboard: generous, but a runaway script on a stolen cookie stops here.
    const limit = ctx.people.settings.sessionRequestsPerMinute;
    const d = await ctx.people.limiter.hit(`session:${session.id}`, limit, 60_000);
    if (!d.allowed) {
      throw new AppError('rate_limited', `Rate limit of ${limit} requests per minute per session exceeded; retry in ${d.retryAfterSeconds} s`, {
        headers: { 'retry-after': String(d.retryAfterSeconds) },
      });
    }
    const actor = { userId: user.id, email: user.email, operator: user.operator === 1, sessionId: session.id, ip: req.ip };
    req.actor = actor;
    req.sessionSecret = secret;
    if (config.operator && !actor.operator) throw new AppError('forbidden', 'Only operators may do this');
    const permission = config.permission;
    if (permission === undefined) return;
    const accountId = (req.params as { account_id?: string }).account_id ?? '';
    const membership = await ctx.store.users.membership(accountId, user.id);
    const role = membership?.role ?? (actor.operator && (await ctx.store.accounts.get(accountId)) ? 'owner' : null);
    if (role === null || (await isPlatformAccount(ctx.store, accountId))) throw new AppError('not_found', 'Account not found');
    if (!roleCan(role, permission)) throw new AppError('forbidden', `Your role (${role}) does not allow ${permission}`);
    req.accountActor = { ...actor, accountId, role };
  });
}
