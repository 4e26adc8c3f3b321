/** Form fields with their labels tied to them (getByLabel finds them; screen readers read them). */
import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';

const INPUT =
  'mt-1 block w-full rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm shadow-sm dark:border-zinc-700 dark:bg-zinc-900 aria-[invalid=true]:border-red-500';

/** A labelled text input; `hint` is read with it, `error` marks it invalid. */
export function Field({ label, hint, error, className = '', ...props }: InputHTMLAttributes<HTMLInputElement> & { label: string; hint?: ReactNode; error?: string | undefined }) {
  const id = useId();
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <input
        id={id}
        className={INPUT}
        aria-invalid={error ? true : undefined}
        aria-describedby={hint || error ? `${id}-hint` : undefined}
        {...props}
      />
      {(hint || error) && (
        <p id={`${id}-hint`} className={`mt-1 text-xs ${error ? 'text-red-600 dark:text-red-400' : 'text-zinc-500'}`}>
          {error ?? hint}
        </p>
      )}
    </div>
  );
}

/** A labelled select. */
export function Select({ label, children, className = '', ...props }: SelectHTMLAttributes<HTMLSelectElement> & { label: string }) {
  const id = useId();
  return (
    <div className={className}>
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <select id={id} className={INPUT} {...props}>
        {children}
      </select>
    </div>
  );
}

/** A checkbox with its label beside it. */
export function Checkbox({ label, className = '', ...props }: InputHTMLAttributes<HTMLInputElement> & { label: string }) {
  const id = useId();
  return (
    <div className={`flex items-center gap-2 ${className}`}>
      <input id={id} type="checkbox" className="size-4 rounded border-zinc-300 accent-indigo-600" {...props} />
      <label htmlFor={id} className="font-mono text-sm">
        {label}
      </label>
    </div>
  );
}
