import { join } from 'node:path';
import { Writable } from 'node:stream';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { expect } from 'vitest';

/** What app.inject resolves to, reduced to what these helpers read. */
export interface InjectedResponse {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: string;
  json(): any;
}

const REQUEST_ID = /^req_[0-9a-z]{26}$/;

/**
 * Asserts the SPEC §2 error body: exactly `{code, message, detail}` with detail === message,
 * plus `errors` for validation failures only; JSON; and an X-Request-Id like every response.
 */
export function expectError(res: InjectedResponse, status: number, code: string): { code: string; message: string; detail: string; errors?: Array<{ field: string; message: string }> } {
  expect({ status: res.statusCode, body: res.body }).toMatchObject({ status });
  expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
  const body = res.json();
  expect(body.code).toBe(code);
  expect(typeof body.message).toBe('string');
  expect(body.message.length).toBeGreaterThan(0);
  expect(body.detail).toBe(body.message);
  if (code === 'validation_failed') {
    expect(Object.keys(body).sort()).toEqual(['code', 'detail', 'errors', 'message']);
    expect(Array.isArray(body.errors)).toBe(true);
    for (const e of body.errors) {
      expect(Object.keys(e).sort()).toEqual(['field', 'message']);
      expect(typeof e.field).toBe('string');
      expect(typeof e.message).toBe('string');
    }
  } else {
    expect(Object.keys(body).sort()).toEqual(['code', 'detail', 'message']);
  }
  expect(res.headers['x-request-id']).toMatch(REQUEST_ID);
  return body;
}

export function expectRequestId(res: InjectedResponse): string {
  const id = res.headers['x-request-id'];
  expect(id).toMatch(REQUEST_ID);
  return String(id);
}

/** A pino destination that keeps everything written to it. */
export class LogCapture extends Writable {
  private readonly chunks: string[] = [];

  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.chunks.push(chunk.toString());
    cb();
  }

  get text(): string {
    return this.chunks.join('');
  }

  /** The JSON log records written so far. */
  records(): Array<Record<string, unknown>> {
    return this.text
      .split('\n')
      .filter((l) => l.trim().length > 0)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

/**
 * Runs one raw SQL statement on a harness's database through a second connection (the store
 * exposes no raw handle): better-sqlite3 on the data dir's file, or pg on DATABASE_URL.
 */
export async function rawSql(env: Record<string, string>, statement: string): Promise<void> {
  if (env.DATABASE_URL) {
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
    return;
  }
  const dir = env.HELLIO_DATA_DIR;
  if (!dir) throw new Error('rawSql: the environment names neither DATABASE_URL nor HELLIO_DATA_DIR');
  const db = new SQLite(join(dir, 'hellio.db'));
  try {
    db.pragma('busy_timeout = 10000');
    db.exec(statement);
  } finally {
    db.close();
  }
}

/** Counts requests by status code. */
export function statusCounts(responses: InjectedResponse[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const r of responses) out[r.statusCode] = (out[r.statusCode] ?? 0) + 1;
  return out;
}
