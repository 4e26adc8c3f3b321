import { validationError } from '../../lib/errors.ts';
import type { Store } from '../../store/store.ts';
import type { Deps } from '../deps.ts';

/** Whole-message keywords that opt the sender out (any case, surrounding spaces ignored). */
export const STOP_KEYWORDS: ReadonlySet<string> = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
/** Whole-message keywords that opt the sender back in. */
export const START_KEYWORDS: ReadonlySet<string> = new Set(['START', 'UNSTOP', 'YES']);
/** Whole-message keywords that ask for help. */
export const HELP_KEYWORDS: ReadonlySet<string> = new Set(['HELP']);

/** What an inbound text asks for, if it is a consent keyword. */
export type ConsentKeyword = 'stop' | 'start' | 'help';

/** The keyword a whole message is (STOP, START or HELP families), or null for any other text. */
export function consentKeywordOf(text: string): ConsentKeyword | null {
  const word = text.trim().toUpperCase();
  if (STOP_KEYWORDS.has(word)) return 'stop';
  if (START_KEYWORDS.has(word)) return 'start';
  if (HELP_KEYWORDS.has(word)) return 'help';
  return null;
}

/** The replies an account sends unless it set its own (docs/inbound.md). Carriers expect these three. */
export const DEFAULT_REPLIES: Readonly<Record<ConsentKeyword, string>> = {
  stop: 'You have been unsubscribed and will receive no more messages from this number. Reply START to resubscribe.',
  start: 'You have been resubscribed and will receive messages from this number again. Reply STOP to unsubscribe.',
  help: 'Reply STOP to unsubscribe, START to resubscribe. Msg&data rates may apply.',
};

/** The longest reply: one concatenated SMS of at most three GSM-7 parts. */
export const MAX_REPLY = 459;

/**
 * An account's replies as the API shows them: each one, whether it is the account's own, and the
 * empty string for "send none" (an account that answers STOP itself turns the automatic one off).
 */
export async function consentReplies(store: Store, accountId: string) {
  const row = await store.consentReplies.get(accountId);
  const pick = (own: string | null | undefined, k: ConsentKeyword) => ({ text: own ?? DEFAULT_REPLIES[k], default: own === null || own === undefined });
  return { stop: pick(row?.stop_reply, 'stop'), start: pick(row?.start_reply, 'start'), help: pick(row?.help_reply, 'help') };
}

/** The text to answer a keyword with, or null when the account turned that reply off. */
export async function replyFor(store: Store, accountId: string, keyword: ConsentKeyword): Promise<string | null> {
  const r = (await consentReplies(store, accountId))[keyword];
  return r.text === '' ? null : r.text;
}

/**
 * Sets some of an account's replies: a string is the account's own text ('' = send none), null
 * goes back to the default, a missing field stays as it was.
 */
export async function setConsentReplies({ store, clock }: Deps, accountId: string, input: Partial<Record<ConsentKeyword, string | null>>) {
  for (const [k, v] of Object.entries(input)) {
    if (typeof v === 'string' && v.length > MAX_REPLY) throw validationError([{ field: k, message: `at most ${MAX_REPLY} characters` }]);
  }
  await store.transaction(async (tx) => {
    const row = await tx.consentReplies.get(accountId);
    const keep = (k: ConsentKeyword, current: string | null | undefined) => (input[k] === undefined ? (current ?? null) : input[k]!);
    await tx.consentReplies.put({
      account_id: accountId,
      stop_reply: keep('stop', row?.stop_reply),
      start_reply: keep('start', row?.start_reply),
      help_reply: keep('help', row?.help_reply),
      updated_at: clock.now(),
    });
  });
  return consentReplies(store, accountId);
}
