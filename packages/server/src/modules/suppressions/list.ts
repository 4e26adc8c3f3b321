import { csvField, parseCsv } from '../../lib/csv.ts';
import { AppError, notFound, validationError } from '../../lib/errors.ts';
import { rfc3339 } from '../../lib/time.ts';
import type { SuppressionRow } from '../../store/repos/suppressions.ts';
import type { SuppressionChannel, SuppressionSource } from '../../store/schema.ts';
import type { Deps } from '../deps.ts';
import { checkCursor, page, pageSize } from '../pagination.ts';
import { addSuppression, normaliseRecipient, removeSuppression, SUPPRESSION_CHANNELS } from './suppressions.ts';

/** A suppression as the API shows it. */
export function suppressionView(s: SuppressionRow) {
  return { id: s.id, channel: s.channel, value: s.value, source: s.source, reason: s.reason, created_at: rfc3339(s.created_at) };
}

/** Who manages the list: the account, and the scopes its key holds (a member holds them all). */
export interface SuppressionCaller {
  accountId: string;
  scopes: ReadonlySet<string>;
}

/** Changing a channel's list takes the send scope of that channel (who may send may decide whom not to). */
function requireChannelScope(caller: SuppressionCaller, channel: SuppressionChannel): void {
  const scope = channel === 'sms' ? 'sms:send' : 'email:send';
  if (!caller.scopes.has(scope)) throw new AppError('insufficient_scope', `This API key lacks the "${scope}" scope this endpoint needs`);
}

/** GET /suppressions: newest first, by channel and source. */
export async function listSuppressions(deps: Deps, accountId: string, q: { limit?: number; cursor?: string; channel?: SuppressionChannel; source?: SuppressionSource }) {
  checkCursor('sup', q.cursor);
  const size = pageSize(q.limit);
  const rows = await deps.store.suppressions.list(accountId, { ...(q.channel ? { channel: q.channel } : {}), ...(q.source ? { source: q.source } : {}) }, q.cursor, size + 1);
  return page(rows, size, suppressionView);
}

/** POST /suppressions: adds one entry by hand (source `manual`); an existing entry is answered as it is. */
export async function createSuppression(deps: Deps, caller: SuppressionCaller, input: { channel: SuppressionChannel; value: string; reason?: string | null }) {
  requireChannelScope(caller, input.channel);
  const { suppression, created } = await addSuppression(deps.store, { accountId: caller.accountId, channel: input.channel, value: input.value, source: 'manual', reason: input.reason ?? null }, deps.clock.now());
  return { ...suppressionView(suppression), created };
}

/** DELETE /suppressions/{id}. */
export async function deleteSuppressionById(deps: Deps, caller: SuppressionCaller, id: string) {
  const row = await deps.store.suppressions.get(caller.accountId, id);
  if (!row) throw notFound('Suppression');
  requireChannelScope(caller, row.channel);
  await removeSuppression(deps.store, caller.accountId, row.channel, row.value);
  return suppressionView(row);
}

/** DELETE /suppressions?channel=&value=: the entry of that recipient, however written. */
export async function deleteSuppressionByValue(deps: Deps, caller: SuppressionCaller, channel: SuppressionChannel, value: string) {
  requireChannelScope(caller, channel);
  if (normaliseRecipient(channel, value) === null) throw validationError([{ field: 'value', message: channel === 'sms' ? 'must be an E.164 number' : 'must be an email address' }]);
  const row = await removeSuppression(deps.store, caller.accountId, channel, value);
  if (!row) throw notFound('Suppression');
  return suppressionView(row);
}

/** The most rows one import takes. */
export const MAX_IMPORT_ROWS = 10_000;

/**
 * POST /suppressions/import: CSV rows `channel,value[,reason]` (a header row naming `channel`
 * and `value` is allowed, and then its columns may be in any order), or bare `value[,reason]` rows
 * when `channel` is given. Every valid row is added (source `import`) in one transaction; invalid
 * rows are reported by line and skipped. A leading apostrophe (a spreadsheet's "this is text") is
 * dropped.
 */
export async function importSuppressions(deps: Deps, caller: SuppressionCaller, input: { csv: string; channel?: SuppressionChannel }) {
  const records = parseCsv(input.csv);
  if (records === null) throw validationError([{ field: 'csv', message: 'is not valid CSV (a quote is left open)' }]);
  if (records.length > MAX_IMPORT_ROWS + 1) throw validationError([{ field: 'csv', message: `at most ${MAX_IMPORT_ROWS} rows` }]);
  let cols = { channel: input.channel ? -1 : 0, value: input.channel ? 0 : 1, reason: input.channel ? 1 : 2 };
  const head = records[0]?.fields.map((f) => f.trim().toLowerCase());
  if (head && head.includes('value')) {
    cols = { channel: head.indexOf('channel'), value: head.indexOf('value'), reason: head.indexOf('reason') };
    records.shift();
    if (cols.channel < 0 && !input.channel) throw validationError([{ field: 'csv', message: 'names no channel column: give one, or the channel field' }]);
  }
  const rows: Array<{ channel: SuppressionChannel; value: string; reason: string | null }> = [];
  const invalid: Array<{ line: number; message: string }> = [];
  for (const r of records) {
    const cell = (i: number) => (i >= 0 ? (r.fields[i] ?? '').trim().replace(/^'/, '') : '');
    const channel = (cols.channel >= 0 ? cell(cols.channel).toLowerCase() : input.channel) as SuppressionChannel;
    if (!SUPPRESSION_CHANNELS.includes(channel)) {
      invalid.push({ line: r.line, message: 'channel must be sms or email' });
      continue;
    }
    if (normaliseRecipient(channel, cell(cols.value)) === null) {
      invalid.push({ line: r.line, message: channel === 'sms' ? 'value must be an E.164 number' : 'value must be an email address' });
      continue;
    }
    rows.push({ channel, value: cell(cols.value), reason: cell(cols.reason) || null });
  }
  for (const c of new Set(rows.map((r) => r.channel))) requireChannelScope(caller, c);
  const now = deps.clock.now();
  let added = 0;
  await deps.store.transaction(async (tx) => {
    for (const r of rows) if ((await addSuppression(tx, { accountId: caller.accountId, ...r, source: 'import' }, now)).created) added++;
  });
  return { added, existing: rows.length - added, invalid };
}

const CSV_PAGE = 1000;

/** The header of an export; an import takes the file back as it is. */
export const SUPPRESSIONS_CSV_HEADER = 'channel,value,source,reason,created_at,id\r\n';

/** GET /suppressions.csv: the whole list (of a channel) as CSV, newest first, a page at a time. */
export function exportSuppressions(deps: Deps, accountId: string, q: { channel?: SuppressionChannel; source?: SuppressionSource }): AsyncGenerator<string> {
  return (async function* () {
    yield SUPPRESSIONS_CSV_HEADER;
    let before: string | undefined;
    for (;;) {
      const rows = await deps.store.suppressions.list(accountId, q, before, CSV_PAGE);
      if (rows.length === 0) return;
      yield rows.map((s) => [s.channel, csvField(s.value), s.source, csvField(s.reason, true), rfc3339(s.created_at), s.id].join(',')).join('\r\n').concat('\r\n');
      if (rows.length < CSV_PAGE) return;
      before = rows[rows.length - 1]!.id;
    }
  })();
}
