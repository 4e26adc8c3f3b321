/** Cursor paging for list routes: newest first, with "Newer" and "Older" moving through pages. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, withQuery, type Page } from './api.ts';

/**
 * One page of `path` (with `query`) at a time. The cursors of the pages already seen are kept, so
 * "Newer" goes back exactly; a change of `query` starts again at the newest page.
 */
export function usePaged<T>(key: readonly unknown[], path: string, query: Record<string, string | number | undefined> = {}, limit = 20) {
  const [trail, setTrail] = useState<{ for: string; cursors: string[] }>({ for: '', cursors: [] });
  const id = JSON.stringify([path, query]);
  const cursors = trail.for === id ? trail.cursors : [];
  const cursor = cursors[cursors.length - 1];
  const q = useQuery({
    queryKey: [...key, query, cursor ?? null],
    queryFn: () => api<Page<T>>('GET', withQuery(path, { ...query, limit, cursor })),
    placeholderData: keepPreviousData,
  });
  return {
    q,
    page: cursors.length + 1,
    older: q.data?.next_cursor ? () => setTrail({ for: id, cursors: [...cursors, q.data!.next_cursor!] }) : null,
    newer: cursors.length > 0 ? () => setTrail({ for: id, cursors: cursors.slice(0, -1) }) : null,
  };
}
