import type { Kysely } from '../kysely.ts';

/**
 * Voice calls (POST /voice/send): the call, its timeline, the audio it sent, and the default
 * per-minute prices. Kept here rather than in default-prices.ts because a released migration must
 * insert the same rows forever; operators change them with `hellio prices set --channel voice`.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('calls')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id'))
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('to_number', 'text', (c) => c.notNull())
    .addColumn('from_number', 'text')
    // The text as shown; an OTP call's code is redacted here and sealed in `sealed_text`.
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('sealed_text', 'text')
    .addColumn('otp_id', 'text')
    .addColumn('language', 'text', (c) => c.notNull())
    .addColumn('voice', 'text')
    .addColumn('repeat', 'integer', (c) => c.notNull())
    .addColumn('ring_timeout', 'integer', (c) => c.notNull())
    .addColumn('time_limit', 'integer', (c) => c.notNull())
    .addColumn('rate_micros', 'bigint', (c) => c.notNull())
    .addColumn('hold_micros', 'bigint', (c) => c.notNull())
    .addColumn('price_micros', 'bigint', (c) => c.notNull())
    .addColumn('sandbox', 'integer', (c) => c.notNull())
    .addColumn('reference', 'text')
    .addColumn('provider', 'text')
    .addColumn('sip_code', 'integer')
    .addColumn('hangup_by', 'text')
    .addColumn('codec', 'text')
    .addColumn('duration_seconds', 'integer')
    .addColumn('error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('ringing_at', 'bigint')
    .addColumn('answered_at', 'bigint')
    .addColumn('ended_at', 'bigint')
    // Written every few seconds by the worker that carries the call: what a crashed worker's call is billed up to.
    .addColumn('alive_at', 'bigint')
    .addColumn('cancel_requested_at', 'bigint')
    .execute();
  await db.schema.createIndex('calls_account').on('calls').columns(['account_id', 'id']).execute();
  await db.schema.createIndex('calls_account_status').on('calls').columns(['account_id', 'status', 'id']).execute();

  await db.schema
    .createTable('call_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('call_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('call_events_call').on('call_events').columns(['call_id', 'id']).execute();

  await db.schema
    .createTable('call_audio')
    .addColumn('call_id', 'text', (c) => c.primaryKey())
    .addColumn('codec', 'text', (c) => c.notNull())
    // One pass of the speech as sent: G.711 bytes, base64 (a text column reads the same on both backends).
    .addColumn('speech', 'text', (c) => c.notNull())
    .addColumn('repeat', 'integer', (c) => c.notNull())
    .addColumn('pause_ms', 'integer', (c) => c.notNull())
    .addColumn('frames_sent', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  // Per started minute of answered time, by destination prefix; "" is the fallback.
  const perMinute: Array<[string, number]> = [
    ['', 60_000],
    ['1', 14_000], // United States, Canada
    ['44', 30_000], // United Kingdom
    ['49', 40_000], // Germany
    ['33', 40_000], // France
    ['34', 40_000], // Spain
    ['39', 40_000], // Italy
    ['31', 45_000], // Netherlands
    ['61', 50_000], // Australia
    ['81', 70_000], // Japan
    ['91', 25_000], // India
  ];
  await db.insertInto('prices').values(perMinute.map(([prefix, price_micros]) => ({ channel: 'voice', prefix, price_micros }))).execute();
}
