/** Copying a value: a button that says it worked, and a once-only secret box. */
import { useState, type ReactNode } from 'react';
import { Button } from './button.tsx';

/** Copies `value` to the clipboard; its name says what (e.g. "Copy key"). */
export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }) {
  const [done, setDone] = useState<'copied' | 'failed' | null>(null);
  return (
    <>
      <Button
        look="secondary"
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(value);
            setDone('copied');
          } catch {
            setDone('failed');
          }
          setTimeout(() => setDone(null), 2000);
        }}
      >
        {label}
      </Button>
      <span role="status" className="text-xs text-zinc-500">
        {done === 'copied' ? 'Copied' : done === 'failed' ? 'Copy failed: select the text instead' : ''}
      </span>
    </>
  );
}

/** A secret shown once, in full, with a copy button and a warning that it will not be shown again. */
export function ShownOnce({ label, value, children }: { label: string; value: string; children?: ReactNode }) {
  return (
    <section aria-label={label} className="my-3 rounded-md border border-amber-300 bg-amber-50 p-3 dark:border-amber-700 dark:bg-amber-950">
      <p className="text-sm font-medium">{label} — shown once. Copy it now: Hellio keeps only a hash.</p>
      <div className="mt-2 flex flex-wrap items-center gap-2">
        <code className="break-all rounded bg-white px-2 py-1 font-mono text-sm dark:bg-zinc-900">{value}</code>
        <CopyButton value={value} label={`Copy ${label.replace(/^\p{Lu}(?!\p{Lu})/u, (c) => c.toLowerCase())}`} />
      </div>
      {children}
    </section>
  );
}
