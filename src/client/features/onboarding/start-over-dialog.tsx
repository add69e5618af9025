import { ApiError } from '../../api/fetch-json.ts';
import { ConfirmDialog } from '../../ui/confirm-dialog.tsx';
import { useDeleteKey } from '../ssh-keys/use-ssh-key-mutations.ts';
import type { FlowKey } from './flow-storage.ts';

/**
 * Confirms "Start over" for a key the flow made and never finished with: it is removed from
 * authorized_keys, so an unused key cannot log in. A key already gone (404) counts as removed.
 */
export function StartOverDialog({
  flowKey,
  onCancel,
  onRemoved,
}: {
  flowKey: FlowKey;
  onCancel: () => void;
  onRemoved: () => void;
}) {
  const deleteKey = useDeleteKey();
  const busy = deleteKey.isPending;
  const alreadyGone = deleteKey.error instanceof ApiError && deleteKey.error.status === 404;
  return (
    <ConfirmDialog
      open
      onOpenChange={(open) => {
        if (!open && !busy) onCancel();
      }}
      title="Start over?"
      description={
        <>
          This removes the key <strong>{flowKey.name}</strong> (
          <span className="mono">{flowKey.fingerprint}</span>) that this flow made from your
          authorized_keys, then starts again with a new key. If you already added it to Seqera
          Platform, delete that credential there too.
        </>
      }
      confirmLabel={busy ? 'Removing…' : 'Remove key and start over'}
      onConfirm={() =>
        deleteKey.mutate(flowKey.fingerprint, {
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
          {deleteKey.error.message}
        </p>
      )}
    </ConfirmDialog>
  );
}
