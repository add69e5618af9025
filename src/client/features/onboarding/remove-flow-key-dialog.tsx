import type { ReactNode } from 'react';
import { ApiError } from '../../api/fetch-json.ts';
import { ConfirmDialog } from '../../ui/confirm-dialog.tsx';
import { keysWhere, useKeyPlace } from '../ssh-keys/key-place.ts';
import { useDeleteKey } from '../ssh-keys/use-ssh-key-mutations.ts';

interface RemoveFlowKeyDialogProps {
  /** The key to remove: one the flow made and never finished with, or the one it renews. */
  fingerprint: string;
  title: string;
  description: ReactNode;
  cancelLabel?: string;
  confirmLabel: string;
  onCancel: () => void;
  /** After the key left authorized_keys; a failure keeps the dialog open and says why. */
  onRemoved: () => void;
}

/**
 * Asks, then removes a key from authorized_keys, so a key nobody holds cannot log in. A key
 * already gone (404) counts as removed.
 */
export function RemoveFlowKeyDialog({
  fingerprint,
  title,
  description,
  cancelLabel,
  confirmLabel,
  onCancel,
  onRemoved,
}: RemoveFlowKeyDialogProps) {
  const deleteKey = useDeleteKey();
  const busy = deleteKey.isPending;
  const place = useKeyPlace();
  const alreadyGone = deleteKey.error instanceof ApiError && deleteKey.error.status === 404;
  return (
    <ConfirmDialog
      open
      onOpenChange={(open) => {
        if (!open && !busy) onCancel();
      }}
      title={title}
      description={description}
      {...(cancelLabel === undefined ? {} : { cancelLabel })}
      confirmLabel={busy ? 'Removing…' : confirmLabel}
      onConfirm={() =>
        deleteKey.mutate(fingerprint, {
          onSuccess: onRemoved,
          onError: (error) => {
            if (error instanceof ApiError && error.status === 404) onRemoved();
          },
        })
      }
      busy={busy}
    >
      {deleteKey.isError && !alreadyGone && (
        <p role="alert" className="error-box">
          The key is still in {keysWhere(place)}: {deleteKey.error.message}
        </p>
      )}
    </ConfirmDialog>
  );
}
