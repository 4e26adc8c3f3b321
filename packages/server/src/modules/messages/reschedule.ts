import { newId } from '../../lib/ids.ts';
import { AppError, type FieldError, notFound, validationError } from '../../lib/errors.ts';
import { rfc3339 } from '../../lib/time.ts';
import { Jobs } from '../../queue/catalogue.ts';
import type { Principal } from '../access/auth.ts';
import type { ModuleContext } from '../context.ts';
import { scheduleOf } from './schedule.ts';

/**
 * Moves a scheduled message to another time (`scheduled_at`, RFC 3339; a time now or just past
 * means "send now"). The message and its delivery job move in one transaction, and the timeline
 * records it. The key needs the send scope of the message's channel; a message that is no longer
 * scheduled (sent, canceled, or being sent right now) answers 409 conflict.
 */
export async function rescheduleMessage(ctx: ModuleContext, principal: Pick<Principal, 'accountId' | 'scopes'>, id: string, scheduledAt: string): Promise<{ id: string; scheduled_at: string }> {
  const m = await ctx.store.messages.get(principal.accountId, id);
  if (!m) throw notFound('Message');
  const scope = m.channel === 'sms' ? 'sms:send' : 'email:send';
  if (!principal.scopes.has(scope)) throw new AppError('insufficient_scope', `This API key lacks the "${scope}" scope this endpoint needs`);
  const now = ctx.clock.now();
  const errors: FieldError[] = [];
  const at = scheduleOf(scheduledAt, now, errors) ?? now;
  if (errors.length > 0) throw validationError(errors);
  const refused = () => new AppError('conflict', `Only a scheduled message can be rescheduled; this one is ${m.status === 'scheduled' ? 'being sent' : m.status}`);
  if (m.status !== 'scheduled' || m.scheduled_at === null) throw refused();
  const from = m.scheduled_at;
  const job = Jobs.deliverMessage(m);
  const moved = await ctx.store.transaction(async (tx) => {
    // The job first: a worker that already holds it is sending the message, which then stays as it is.
    if (!(await tx.jobs.moveRun(job.kind, JSON.stringify(job.payload), from, at, now))) return false;
    if (!(await tx.messages.reschedule(principal.accountId, id, at, now))) throw refused();
    await tx.delivery.addEvents([{ id: newId('ev'), message_id: id, status: 'scheduled', detail: `rescheduled to ${rfc3339(at)}`, created_at: now }]);
    return true;
  });
  if (!moved) throw refused();
  return { id, scheduled_at: rfc3339(at) };
}
