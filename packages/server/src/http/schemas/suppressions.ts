/** /suppressions: the recipients an account never sends to. */
import { MAX_IMPORT_ROWS } from '../../modules/suppressions/list.ts';
import { MAX_REASON, SUPPRESSION_CHANNELS, SUPPRESSION_SOURCES } from '../../modules/suppressions/suppressions.ts';
import { listQuery, nullable, str } from './common.ts';

const channel = str({ enum: SUPPRESSION_CHANNELS, description: '`sms` (numbers, also for voice calls) or `email` (addresses)' });
const source = str({ enum: SUPPRESSION_SOURCES, description: 'What put it there: a STOP reply, a hard bounce, a complaint, by hand, an import' });

const suppressionProperties = {
  id: str(),
  channel,
  value: str({ description: 'E.164 number, or the lower-cased address' }),
  source,
  reason: nullable('string'),
  created_at: str(),
} as const;

export const suppressionSchema = { type: 'object', properties: suppressionProperties } as const;
export const suppressionCreatedSchema = {
  type: 'object',
  properties: { ...suppressionProperties, created: { type: 'boolean', description: 'false: it was listed already (the entry is shown as it was)' } },
} as const;

export const suppressionsQuery = listQuery({ channel, source });
export const suppressionsCsvQuery = { type: 'object', additionalProperties: false, properties: { channel, source } } as const;

export const suppressionBody = {
  type: 'object',
  additionalProperties: false,
  required: ['channel', 'value'],
  properties: { channel, value: str({ minLength: 1, maxLength: 320 }), reason: { type: ['string', 'null'], maxLength: MAX_REASON } },
} as const;

export const suppressionDeleteQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['channel', 'value'],
  properties: { channel, value: str({ minLength: 1, maxLength: 320, description: 'The number or address, however written' }) },
} as const;

export const suppressionImportBody = {
  type: 'object',
  additionalProperties: false,
  required: ['csv'],
  properties: {
    csv: str({ maxLength: 2_000_000, description: `CSV rows channel,value[,reason] (or value[,reason] with \`channel\`); a header row may name the columns; at most ${MAX_IMPORT_ROWS} rows` }),
    channel,
  },
} as const;

export const suppressionImportSchema = {
  type: 'object',
  properties: {
    added: { type: 'integer' },
    existing: { type: 'integer', description: 'Rows already listed (left as they were)' },
    invalid: { type: 'array', items: { type: 'object', properties: { line: { type: 'integer' }, message: str() } } },
  },
} as const;

/** The CSV export: its answer is text, not JSON. */
export const suppressionsCsvResponse = {
  description: 'RFC 4180 CSV with a header row: channel, value, source, reason, created_at, id (POST /suppressions/import takes it back)',
  content: { 'text/csv': { schema: { type: 'string' } } },
} as const;
