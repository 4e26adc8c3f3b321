import { AppError, notFound } from '../../lib/errors.ts';
import type { Principal } from '../access/auth.ts';
import type { ModuleContext } from '../context.ts';
import type { AuditActor } from '../people/actor.ts';
import { auditBy } from '../people/audit.ts';
import { cancelScheduled } from './lifecycle.ts';
import { getMessage } from './reads.ts';

/**
 * Cancels a scheduled message (refunded). The key needs the send scope of the message's
 * channel; anything but a scheduled message answers 409.
 */
export async function cancelMessage(ctx: ModuleContext, principal: Pick<Principal, 'accountId' | 'scopes'> & { actor?: AuditActor }, id: string) {
  const m = await ctx.store.messages.get(principal.accountId, id);
  if (!m) throw notFound('Message');
  const scope = m.channel === 'sms' ? 'sms:send' : 'email:send';
  if (!principal.scopes.has(scope)) throw new AppError('insufficient_scope', `This API key lacks the "${scope}" scope this endpoint needs`);
  const now = ctx.clock.now();
  const canceled = await ctx.store.transaction(async (tx) => {
    if (!(await cancelScheduled(tx, principal.accountId, id, now))) return false;
    await auditBy(tx, principal.actor, { accountId: principal.accountId, action: 'message.cancel', target: id, before: { status: 'scheduled' }, after: { status: 'canceled' } }, now);
    return true;
  });
  if (!canceled) throw new AppError('conflict', `Only a scheduled message can be canceled; this one is ${m.status}`);
  return getMessage(ctx, principal.accountId, id);
}
