/** Loading, empty and error states, the same on every page. */
import type { ReactNode } from 'react';
import { ApiError } from '../lib/api.ts';

/** The API's own message for a failed call, where the call was made (role=alert: read at once). */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const fields = error instanceof ApiError ? error.errors : undefined;
  return (
    <div role="alert" className="my-2 rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
      <p>{message}</p>
      {fields && fields.length > 0 && (
        <ul className="mt-1 list-disc pl-5">
          {fields.map((f) => (
            <li key={f.field + f.message}>
              <span className="font-mono">{f.field}</span>: {f.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A polite "loading" line while a query runs. */
export function Loading({ what = 'Loading' }: { what?: string }) {
  return (
    <p role="status" className="py-6 text-sm text-zinc-500">
      {what}…
    </p>
  );
}

/** What an empty list says, with what to do next. */
export function Empty({ children }: { children: ReactNode }) {
  return <p className="rounded-md border border-dashed border-zinc-300 px-4 py-6 text-center text-sm text-zinc-500 dark:border-zinc-700">{children}</p>;
}

/** A short success line (role=status: announced without stealing focus). */
export function Notice({ children }: { children: ReactNode }) {
  return (
    <p role="status" className="my-2 rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-800 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200">
      {children}
    </p>
  );
}

/** Renders a query's three states: loading, its error, or its data. */
export function Query<T>({ q, children }: { q: { isPending: boolean; error: unknown; data: T | undefined }; children: (data: T) => ReactNode }) {
  if (q.error) return <ErrorNote error={q.error} />;
  if (q.isPending || q.data === undefined) return <Loading />;
  return <>{children(q.data)}</>;
}
