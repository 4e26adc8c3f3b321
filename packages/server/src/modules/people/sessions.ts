import { createHash } from 'node:crypto';
import { notFound } from '../../lib/errors.ts';
import { newId } from '../../lib/ids.ts';
import { hashSecret, randomSecret } from '../../lib/secrets.ts';
import type { SessionRow } from '../../store/repos/sessions.ts';
import type { UserRow } from '../../store/repos/users.ts';
import type { Deps } from '../deps.ts';
import type { PeopleSettings } from './settings.ts';

/** The cookie that carries the session's secret. */
export const SESSION_COOKIE = 'hellio_session';

// last_seen_at is for the idle expiry and the sessions list; once a minute is fine for both.
const TOUCH_RESOLUTION_MS = 60_000;

/** Opens a session for the user; the secret goes in the cookie and is stored only hashed. */
export async function openSession(
  { store, clock }: Deps,
  settings: PeopleSettings,
  userId: string,
  client: { ip: string; userAgent: string | null },
): Promise<{ secret: string; session: SessionRow }> {
  const now = clock.now();
  const secret = randomSecret();
  const session: SessionRow = {
    id: newId('ses'),
    token_hash: hashSecret(secret),
    user_id: userId,
    ip: client.ip,
    user_agent: client.userAgent?.slice(0, 300) ?? null,
    created_at: now,
    last_seen_at: now,
    expires_at: now + settings.sessionMaxMs,
    revoked_at: null,
  };
  await store.sessions.insert(session);
  return { secret, session };
}

/**
 * The CSRF token of a session: derived from its secret, which only the HttpOnly cookie holds, so
 * a page on another site can neither read nor compute it. Sent back in X-CSRF-Token.
 */
export function csrfTokenOf(secret: string): string {
  return createHash('sha256').update(`csrf\0${secret}`).digest('base64url');
}

/** The live session and user a cookie's secret names, or null (unknown, revoked, idle too long, expired). */
export async function resolveSession({ store, clock }: Deps, settings: PeopleSettings, secret: string): Promise<{ session: SessionRow; user: UserRow } | null> {
  const session = await store.sessions.byHash(hashSecret(secret));
  const now = clock.now();
  if (!session || session.revoked_at !== null || session.expires_at <= now || session.last_seen_at + settings.sessionIdleMs <= now) return null;
  const user = await store.users.get(session.user_id);
  if (!user) return null;
  if (now - session.last_seen_at >= TOUCH_RESOLUTION_MS) await store.sessions.touch(session.id, now);
  return { session, user };
}

/** A session as its owner sees it in the list. */
export function sessionView(s: SessionRow, currentId: string) {
  return {
    id: s.id,
    current: s.id === currentId,
    ip: s.ip,
    user_agent: s.user_agent,
    created_at: new Date(s.created_at).toISOString(),
    last_seen_at: new Date(s.last_seen_at).toISOString(),
    expires_at: new Date(s.expires_at).toISOString(),
  };
}

/** The user's live sessions, newest first. */
export async function listSessions({ store, clock }: Deps, settings: PeopleSettings, userId: string, currentId: string) {
  const now = clock.now();
  const rows = await store.sessions.liveOf(userId, now);
  return { data: rows.filter((s) => s.last_seen_at + settings.sessionIdleMs > now).map((s) => sessionView(s, currentId)) };
}

/** Ends one of the user's sessions; another user's id answers 404 like a missing one. */
export async function revokeSession({ store, clock }: Deps, userId: string, sessionId: string): Promise<{ id: string; revoked: true }> {
  if (!(await store.sessions.revoke(userId, sessionId, clock.now()))) throw notFound('Session');
  return { id: sessionId, revoked: true };
}

/** "Log out everywhere": ends every session of the user but `keep` (null: this one too). */
export async function revokeAllSessions({ store, clock }: Deps, userId: string, keep: string | null): Promise<{ revoked: number }> {
  return { revoked: await store.sessions.revokeAll(userId, clock.now(), keep) };
}

export type { UserRow };
