import * as RadixAlertDialog from '@radix-ui/react-alert-dialog';
import type { ReactNode } from 'react';
import { useReturnFocus } from './return-focus.ts';

interface ConfirmDialogProps {
  open: boolean;
  /** Called for Escape and for Cancel; a click outside does nothing (an alert dialog). */
  onOpenChange: (open: boolean) => void;
  title: ReactNode;
  /** Always rendered: Radix wires it to aria-describedby, so screen readers hear it. */
  description: ReactNode;
  /** Warnings and errors between the description and the buttons. */
  children?: ReactNode;
  cancelLabel?: string;
  confirmLabel: string;
  /** Runs the action; the caller closes the dialog when it is done (it may be asynchronous). */
  onConfirm: () => void;
  /** While the action runs both buttons are disabled; the caller also ignores Escape then. */
  busy?: boolean;
}

/**
 * The one wrapper around Radix AlertDialog, for confirmations that interrupt: a Title and a
 * Description every time, Cancel focused first, and the destructive button last.
 */
export function ConfirmDialog({
  open,
  onOpenChange,
  title,
  description,
  children,
  cancelLabel = 'Cancel',
  confirmLabel,
  onConfirm,
  busy = false,
}: ConfirmDialogProps) {
  const returnFocus = useReturnFocus(open);
  return (
    <RadixAlertDialog.Root open={open} onOpenChange={onOpenChange}>
      <RadixAlertDialog.Portal>
        <RadixAlertDialog.Overlay className="dialog-overlay" />
        <RadixAlertDialog.Content className="dialog dialog-normal" onCloseAutoFocus={returnFocus}>
          <RadixAlertDialog.Title className="dialog-title">{title}</RadixAlertDialog.Title>
          <RadixAlertDialog.Description className="dialog-description">
            {description}
          </RadixAlertDialog.Description>
          {children}
          <div className="dialog-actions">
            <RadixAlertDialog.Cancel asChild>
              <button type="button" className="button button-secondary" disabled={busy}>
                {cancelLabel}
              </button>
            </RadixAlertDialog.Cancel>
            {/* Not AlertDialog.Action: that closes at once, before an asynchronous action ends. */}
            <button
              type="button"
              className="button button-danger"
              disabled={busy}
              onClick={onConfirm}
            >
              {confirmLabel}
            </button>
          </div>
        </RadixAlertDialog.Content>
      </RadixAlertDialog.Portal>
    </RadixAlertDialog.Root>
  );
}
