import { AppError, notFound } from '../../lib/errors.ts';
import type { ModuleContext } from '../context.ts';
import { endCall } from './lifecycle.ts';
import { callView, type CallView, FINAL_CALL_STATUSES } from './views.ts';

/** How long POST /voice/{id}/cancel waits for the worker to hang up a ringing call before it answers. */
const CANCEL_WAIT_MS = 5_000;

/**
 * Cancels a call that has not been answered. A queued call ends here (`canceled`, the hold
 * refunded). A ringing call is asked to stop: the worker carrying it sends CANCEL, and the answer
 * waits a few seconds for that end. An answered or ended call cannot be canceled (409).
 */
export async function cancelCall(ctx: ModuleContext, accountId: string, id: string): Promise<CallView> {
  const { store, clock } = ctx;
  const call = await store.calls.get(accountId, id);
  if (!call) throw notFound('Call');
  if (call.status === 'queued') {
    const ended = await endCall(store, id, { status: 'canceled', sipCode: null, hangupBy: 'system', durationSeconds: 0, codec: null, provider: null, error: 'canceled by the sender' }, ctx.currency, clock.now());
    if (ended) return callView((await store.calls.get(accountId, id))!, ctx.currency);
  }
  const now = await store.calls.get(accountId, id);
  if (now!.status !== 'ringing') throw notCancelable(now!.status);
  await store.calls.touch(id, { cancel_requested_at: clock.now() });
  const deadline = performance.now() + CANCEL_WAIT_MS;
  for (;;) {
    const row = (await store.calls.get(accountId, id))!;
    if (FINAL_CALL_STATUSES.has(row.status) || row.status === 'in_progress' || performance.now() >= deadline) return callView(row, ctx.currency);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function notCancelable(status: string): AppError {
  const why = status === 'in_progress' ? 'it has been answered' : `it has already ended (${status})`;
  return new AppError('conflict', `This call cannot be canceled: ${why}`);
}
