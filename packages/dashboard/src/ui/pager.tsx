/** "Newer" and "Older" buttons under a paged list. */
import { Button } from './button.tsx';

/** The paging controls of a list; `label` names what is paged (for the navigation landmark). */
export function Pager({ label, page, newer, older }: { label: string; page: number; newer: (() => void) | null; older: (() => void) | null }) {
  if (!newer && !older) return null;
  return (
    <nav aria-label={`${label} pages`} className="mt-3 flex items-center gap-2 text-sm">
      <Button disabled={!newer} onClick={() => newer?.()}>
        Newer
      </Button>
      <span className="text-zinc-500">Page {page}</span>
      <Button disabled={!older} onClick={() => older?.()}>
        Older
      </Button>
    </nav>
  );
}
