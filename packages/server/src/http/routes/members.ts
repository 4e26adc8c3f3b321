import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../modules/context.ts';
import { acceptInvitation, invite, listInvitations, revokeInvitation } from '../../modules/people/invitations.ts';
import { changeRole, listMembers, removeMember } from '../../modules/people/members.ts';
import { managed, publicRoute } from '../route.ts';
import { meSchema, revokedSchema } from '../schemas/auth.ts';
import { idParams } from '../schemas/common.ts';
import { acceptBody, invitationListSchema, invitationSchema, inviteBody, memberListSchema, memberParams, memberRemovedSchema, memberSchema, roleBody } from '../schemas/members.ts';
import { client, me, sessionOf, signedInAnswer } from '../sign-in.ts';

const tag = 'members';

/** An account's members and invitations, and accepting an invitation. */
export function memberRoutes(app: FastifyInstance, ctx: ModuleContext): void {
  managed(app, { method: 'GET', url: '/members', tag, summary: 'The account\'s members and their roles', permission: 'members:read', schema: { response: { 200: memberListSchema } } }, async (_req, actor) =>
    listMembers(ctx.store, actor.accountId),
  );
  managed(
    app,
    {
      method: 'PATCH',
      url: '/members/:user_id',
      tag,
      summary: 'Change a member\'s role (only an owner grants or takes away owner; the last owner stays)',
      permission: 'members:write',
      schema: { params: memberParams, body: roleBody, response: { 200: memberSchema } },
    },
    async (req, actor) => changeRole(ctx, actor, req.params.user_id, req.body.role),
  );
  managed(
    app,
    {
      method: 'DELETE',
      url: '/members/:user_id',
      tag,
      summary: 'Remove a member from the account (only an owner removes an owner; the last owner stays)',
      permission: 'members:write',
      schema: { params: memberParams, response: { 200: memberRemovedSchema } },
    },
    async (req, actor) => removeMember(ctx, actor, req.params.user_id),
  );
  managed(
    app,
    {
      method: 'POST',
      url: '/invitations',
      tag,
      summary: 'Invite an address with a role: emails a single-use, expiring link (only an owner invites an owner)',
      permission: 'members:write',
      schema: { body: inviteBody, response: { 200: invitationSchema } },
    },
    async (req, actor) => invite(ctx, ctx.people, actor, req.body),
  );
  managed(app, { method: 'GET', url: '/invitations', tag, summary: 'The account\'s open invitations, newest first', permission: 'members:read', schema: { response: { 200: invitationListSchema } } }, async (_req, actor) =>
    listInvitations(ctx, actor.accountId),
  );
  managed(
    app,
    { method: 'DELETE', url: '/invitations/:id', tag, summary: 'Withdraw an open invitation', permission: 'members:write', schema: { params: idParams('inv'), response: { 200: revokedSchema } } },
    async (req, actor) => revokeInvitation(ctx, actor, req.params.id),
  );
  publicRoute(
    app,
    {
      method: 'POST',
      url: '/auth/invitations/accept',
      tag,
      summary:
        'Accept an invitation: a new address chooses a password and is signed in; an existing user is signed in (cookie and X-CSRF-Token) or gives their password',
      schema: { body: acceptBody, response: { 200: meSchema } },
    },
    async (req, reply) => {
      const current = await sessionOf(ctx, req, req.body.password !== undefined);
      const { user, opened } = await acceptInvitation(ctx, ctx.people, req.body, current?.userId ?? null, client(req));
      if (opened) return signedInAnswer(ctx, req, reply, user.id, opened);
      // Signed in already (acceptInvitation opens a session otherwise): GET /auth/me's answer for it.
      return me(ctx, user.id, current!.session, current!.secret);
    },
  );
}
