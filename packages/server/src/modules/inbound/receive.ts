import { newId } from '../../lib/ids.ts';
import { analyzeSms } from '../../lib/sms-encoding.ts';
import { Jobs } from '../../queue/catalogue.ts';
import { jobRows } from '../../queue/enqueue.ts';
import type { MessageRow } from '../../store/repos/messages.ts';
import type { Store } from '../../store/store.ts';
import type { Deps } from '../deps.ts';
import { messageView } from '../messages/views.ts';
import { consentKeywordOf, replyFor } from '../numbers/consent.ts';
import { addSuppression, removeSuppression } from '../suppressions/suppressions.ts';
import { eventRows, type NewEvent } from '../webhooks/events.ts';

/** One inbound SMS part as a network adapter hands it over (see providers/sms/sms-provider.ts). */
export interface InboundPart {
  from: string;
  to: string;
  text: string;
  concat: { ref: number; total: number; seq: number } | null;
}

/** Where the inbound path reports what it drops (a number no account owns); never the text. */
export interface InboundLog {
  info(obj: object, msg: string): void;
}

/** What receiving needs: the store, the clock, a log. */
export interface InboundDeps extends Deps {
  log: InboundLog;
}

/** What became of one part: stored as a message, kept waiting for the rest, or dropped. */
export type InboundOutcome = { kind: 'message'; messageId: string; replyId: string | null } | { kind: 'partial' } | { kind: 'dropped' };

/** Reference a consent reply carries, so the message log tells automatic replies apart. */
export const CONSENT_REFERENCE = 'consent-reply';

/**
 * Receives one SMS (or one part of a concatenated one) sent to `part.to`, in one transaction:
 *
 * - to a number no account owns: logged and dropped;
 * - a part: kept (durably, once per part number) until every part is in, then the whole text;
 * - the message is stored with `direction: inbound`, status `received`, uncharged, and announced
 *   by `message.received`;
 * - a whole-message STOP word suppresses the sender for the owner (source `stop`), a START word
 *   lifts it, HELP changes nothing; each is answered from the number (the owner's text or the
 *   default), as a normal outbound SMS that is not charged (docs/inbound.md says why).
 *
 * Callers serialise parts of one message (SmsReceiver below): two last parts committing at once
 * could each miss the other.
 */
export async function receiveSms(deps: InboundDeps, provider: string, part: InboundPart): Promise<InboundOutcome> {
  const now = deps.clock.now();
  return deps.store.transaction(async (tx) => {
    const owner = await tx.numbers.get(part.to);
    if (!owner) {
      deps.log.info({ to: part.to, provider }, 'inbound SMS to a number no account owns, dropped');
      return { kind: 'dropped' } as const;
    }
    let text = part.text;
    let segments = 1;
    if (part.concat) {
      const key = { source: part.from, destination: part.to, ref: part.concat.ref, total: part.concat.total };
      await tx.inboundParts.insert({ ...key, seq: part.concat.seq, text: part.text, provider, created_at: now });
      const parts = await tx.inboundParts.parts(key);
      if (parts.length < part.concat.total) return { kind: 'partial' } as const;
      text = parts.map((p) => p.text).join('');
      segments = parts.length;
      await tx.inboundParts.delete(key);
    }
    return storeInbound(tx, owner.account_id, provider, { from: part.from, to: part.to, text, segments }, now);
  });
}

async function storeInbound(tx: Store, accountId: string, provider: string, m: { from: string; to: string; text: string; segments: number }, now: number): Promise<InboundOutcome> {
  const inbound: MessageRow = {
    id: newId('msg'),
    account_id: accountId,
    key_id: '',
    campaign_id: null,
    channel: 'sms',
    status: 'received',
    sender: m.from,
    recipient: m.to,
    subject: null,
    body: m.text,
    payload: null,
    segments: m.segments,
    encoding: analyzeSms(m.text).encoding,
    price_micros: 0,
    sandbox: 0,
    reference: null,
    scheduled_at: null,
    created_at: now,
    updated_at: now,
    provider,
    error: null,
    direction: 'inbound',
  };
  const messages: MessageRow[] = [inbound];
  const events: NewEvent[] = [{ accountId, type: 'message.received', data: messageView(inbound, tx.currency), at: now }];

  const keyword = consentKeywordOf(m.text);
  // Only a number can be suppressed or answered (an alphanumeric sender cannot receive a reply).
  const replyable = /^\+\d+$/.test(m.from);
  let reply: MessageRow | null = null;
  if (keyword && replyable) {
    if (keyword === 'stop') await addSuppression(tx, { accountId, channel: 'sms', value: m.from, source: 'stop', reason: m.text.trim().toUpperCase() }, now);
    if (keyword === 'start') await removeSuppression(tx, accountId, 'sms', m.from);
    const text = await replyFor(tx, accountId, keyword);
    if (text !== null) {
      const { encoding, segments } = analyzeSms(text);
      reply = {
        ...inbound,
        id: newId('msg'),
        status: 'queued',
        sender: m.to,
        recipient: m.from,
        body: text,
        segments,
        encoding,
        reference: CONSENT_REFERENCE,
        provider: null,
        direction: 'outbound',
      };
      messages.push(reply);
      events.push({ accountId, type: 'message.queued', data: messageView(reply, tx.currency), at: now });
    }
  }
  const fanOut = await eventRows(tx, events, now);
  await tx.batchWrites.write({
    inserts: [
      { table: 'messages', rows: messages },
      { table: 'message_events', rows: messages.map((r) => ({ id: newId('ev'), message_id: r.id, status: r.status, detail: null, created_at: now })) },
      { table: 'jobs', rows: [...jobRows(reply ? [Jobs.deliverMessage(reply)] : [], now), ...fanOut.jobs] },
      { table: 'events', rows: fanOut.events },
      { table: 'webhook_deliveries', rows: fanOut.deliveries },
    ],
    debits: new Map(),
    increments: [],
  });
  return { kind: 'message', messageId: inbound.id, replyId: reply?.id ?? null };
}

/**
 * Receives a network's inbound parts one at a time (per process): the parts of a concatenated
 * message arrive close together, and the last two must not commit unaware of each other.
 */
export class SmsReceiver {
  private chain: Promise<unknown> = Promise.resolve();
  constructor(private readonly deps: InboundDeps) {}

  /** Stores the part; resolves once it is durable (the adapter acknowledges then), rejects when it could not be. */
  receive(provider: string, part: InboundPart): Promise<InboundOutcome> {
    const run = this.chain.then(() => receiveSms(this.deps, provider, part));
    this.chain = run.catch(() => undefined);
    return run;
  }
}
