import * as RadixDialog from '@radix-ui/react-dialog';
import type { ReactNode } from 'react';
import { useReturnFocus } from './return-focus.ts';

interface DialogProps {
  open: boolean;
  /**
   * Called for Escape, a click outside, and every `DialogClose`. A dialog that must not be lost
   * (the one-time private key) decides here whether to close or to ask first.
   */
  onOpenChange: (open: boolean) => void;
  title: ReactNode;
  /** Always rendered: Radix wires it to aria-describedby, so screen readers hear it. */
  description: ReactNode;
  children?: ReactNode;
  size?: 'normal' | 'wide';
}

/**
 * The one wrapper around Radix Dialog: a modal with a Title and a Description every time, so
 * no dialog ships without an accessible name.
 */
export function Dialog({
  open,
  onOpenChange,
  title,
  description,
  children,
  size = 'normal',
}: DialogProps) {
  const returnFocus = useReturnFocus(open);
  return (
    <RadixDialog.Root open={open} onOpenChange={onOpenChange}>
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="dialog-overlay" />
        <RadixDialog.Content className={`dialog dialog-${size}`} onCloseAutoFocus={returnFocus}>
          <RadixDialog.Title className="dialog-title">{title}</RadixDialog.Title>
          <RadixDialog.Description className="dialog-description">
            {description}
          </RadixDialog.Description>
          {children}
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}

/**
 * The last row of a dialog's form: Cancel, which closes the Dialog through its onOpenChange, and
 * the submit button; both disabled while the form's request runs. It stays in view at the
 * dialog's bottom edge while a long form scrolls (styles.css).
 */
export function DialogFormActions({ submitLabel, busy }: { submitLabel: string; busy: boolean }) {
  return (
    <div className="dialog-actions">
      <RadixDialog.Close asChild>
        <button type="button" className="button button-secondary" disabled={busy}>
          Cancel
        </button>
      </RadixDialog.Close>
      <button type="submit" className="button button-primary" disabled={busy}>
        {submitLabel}
      </button>
    </div>
  );
}
