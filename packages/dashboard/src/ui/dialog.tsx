/** Dialogs on Radix: focus trapped and restored, Escape closes, a title for assistive technology. */
import * as D from '@radix-ui/react-dialog';
import { useState, type ReactNode } from 'react';
import { Button } from './button.tsx';
import { ErrorNote } from './feedback.tsx';

/** A modal dialog; `trigger` is the element that opens it. */
export function Dialog({
  title,
  description,
  trigger,
  open,
  onOpenChange,
  children,
}: {
  title: string;
  description?: ReactNode;
  trigger?: ReactNode;
  open?: boolean;
  onOpenChange?: (open: boolean) => void;
  children: ReactNode;
}) {
  return (
    <D.Root {...(open !== undefined ? { open } : {})} {...(onOpenChange ? { onOpenChange } : {})}>
      {trigger && <D.Trigger asChild>{trigger}</D.Trigger>}
      <D.Portal>
        <D.Overlay className="fixed inset-0 bg-black/40" />
        <D.Content
          className="fixed left-1/2 top-1/2 max-h-[90vh] w-[min(36rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 overflow-y-auto rounded-lg bg-white p-5 shadow-xl dark:bg-zinc-900"
          {...(description ? {} : { 'aria-describedby': undefined })}
        >
          <D.Title className="text-lg font-semibold">{title}</D.Title>
          {description && <D.Description className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{description}</D.Description>}
          <div className="mt-4">{children}</div>
        </D.Content>
      </D.Portal>
    </D.Root>
  );
}

/** Closes the dialog it sits in. */
export const DialogClose = D.Close;

/**
 * A button that asks first: `label` opens a dialog explaining `question`, whose `confirm` button
 * runs `action`; the API's error shows inside the dialog.
 */
export function ConfirmButton({
  label,
  title,
  question,
  confirm,
  action,
  look = 'secondary',
  ariaLabel,
}: {
  label: string;
  title: string;
  question: ReactNode;
  confirm: string;
  action: () => Promise<unknown>;
  look?: 'secondary' | 'danger' | 'ghost';
  ariaLabel?: string;
}) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <Dialog
      title={title}
      description={question}
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        setError(null);
      }}
      trigger={
        <Button look={look} {...(ariaLabel ? { 'aria-label': ariaLabel } : {})}>
          {label}
        </Button>
      }
    >
      <ErrorNote error={error} />
      <div className="flex justify-end gap-2">
        <DialogClose asChild>
          <Button>Cancel</Button>
        </DialogClose>
        <Button
          look="danger"
          busy={busy}
          onClick={async () => {
            setBusy(true);
            setError(null);
            try {
              await action();
              setOpen(false);
            } catch (err) {
              setError(err);
            } finally {
              setBusy(false);
            }
          }}
        >
          {confirm}
        </Button>
      </div>
    </Dialog>
  );
}
