import { type FieldError, validationError } from '../lib/errors.ts';
import { isId } from '../lib/ids.ts';

/** Cursor pagination of every list (SPEC §3): `?limit=` (≤ 100), `?cursor=` = the last id of the previous page. */
export const MAX_PAGE = 100;
export const DEFAULT_PAGE = 20;

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export function pageSize(limit: number | undefined): number {
  return Math.min(Math.max(limit ?? DEFAULT_PAGE, 1), MAX_PAGE);
}

/** The error for a cursor that is not an id of this list's kind, or null. */
export function cursorError(prefix: string, cursor: string | undefined): FieldError | null {
  return cursor === undefined || isId(prefix, cursor) ? null : { field: 'cursor', message: 'is not a cursor this endpoint returned' };
}

/** Refuses (422) a cursor that is not an id of this list's kind. */
export function checkCursor(prefix: string, cursor: string | undefined): void {
  const error = cursorError(prefix, cursor);
  if (error) throw validationError([error]);
}

/** The page among the `size + 1` rows a list query fetched (one more tells whether another page follows). */
export function cut<R extends { id: string }>(rows: R[], size: number): { shown: R[]; next_cursor: string | null } {
  const shown = rows.length > size ? rows.slice(0, size) : rows;
  return { shown, next_cursor: rows.length > size ? shown[shown.length - 1]!.id : null };
}

export function page<R extends { id: string }, V>(rows: R[], size: number, view: (r: R) => V): Page<V> {
  const { shown, next_cursor } = cut(rows, size);
  return { data: shown.map(view), next_cursor };
}
