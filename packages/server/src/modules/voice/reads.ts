import { type FieldError, notFound, validationError } from '../../lib/errors.ts';
import { decodeG711 } from '../../lib/g711.ts';
import { playoutOf } from '../../providers/voice/rtp-playout.ts';
import type { CallFilter } from '../../store/repos/calls.ts';
import type { ModuleContext } from '../context.ts';
import { parseRange } from '../date-range.ts';
import { normaliseRecipient } from '../messages/reads.ts';
import { cursorError, page, pageSize } from '../pagination.ts';
import { callEventView, callView, CALL_STATUSES } from './views.ts';

/** GET /voice's filters. */
export interface CallQuery {
  limit?: number;
  cursor?: string;
  status?: string;
  to?: string;
  from?: string;
  until?: string;
}

/** An account's calls, newest first, filtered by status, destination and creation time. */
export async function listCalls(ctx: ModuleContext, accountId: string, q: CallQuery) {
  const errors: FieldError[] = [];
  const cursor = cursorError('call', q.cursor);
  if (cursor) errors.push(cursor);
  const f: CallFilter = {};
  if (q.status !== undefined) {
    if ((CALL_STATUSES as readonly string[]).includes(q.status)) f.status = q.status;
    else errors.push({ field: 'status', message: `must be one of ${CALL_STATUSES.join(', ')}` });
  }
  if (q.to !== undefined) {
    const to = normaliseRecipient(q.to);
    if (to === null || to.includes('@')) errors.push({ field: 'to', message: 'must be a phone number' });
    else f.to = to;
  }
  if (errors.length) throw validationError(errors);
  const range = parseRange({ from: q.from, to: q.until });
  if (range.from !== undefined) f.createdFrom = range.from;
  if (range.to !== undefined) f.createdUntil = range.to;
  if (q.cursor !== undefined) f.before = q.cursor;
  const size = pageSize(q.limit);
  return page(await ctx.store.calls.list(accountId, f, size + 1), size, (r) => callView(r, ctx.currency));
}

/** One call with its timeline. */
export async function getCall(ctx: ModuleContext, accountId: string, id: string) {
  const row = await ctx.store.calls.get(accountId, id);
  if (!row) throw notFound('Call');
  return { ...callView(row, ctx.currency), events: (await ctx.store.calls.events(id)).map(callEventView) };
}

/**
 * The audio a call sent, exactly: its passes of speech and the pauses between, cut where the call
 * ended, decoded from the G.711 bytes that went out (8 kHz PCM). 404 when nothing was sent, and
 * for OTP calls, whose audio speaks the code and is not kept.
 */
export async function callAudio(ctx: ModuleContext, accountId: string, id: string): Promise<Int16Array> {
  const call = await ctx.store.calls.get(accountId, id);
  if (!call) throw notFound('Call');
  const audio = await ctx.store.calls.audio(id);
  if (!audio || audio.frames_sent === 0) throw notFound('Audio of this call');
  const law = audio.codec === 'PCMA' ? 'PCMA' : 'PCMU';
  const frames = playoutOf(Buffer.from(audio.speech, 'base64'), law, audio.repeat, audio.pause_ms).slice(0, audio.frames_sent);
  return decodeG711(Buffer.concat(frames.map((f) => f.payload)), law);
}
