import type { SshKey } from '../../../api/ssh-keys.ts';
import { ConfirmDialog } from '../../ui/confirm-dialog.tsx';
import { keyDisplayName } from './key-display.ts';
import { keysWhere, removalTakesEffect, useKeyPlace } from './key-place.ts';
import { useDeleteKey } from './use-ssh-key-mutations.ts';

/**
 * Confirms a delete, naming the key and its fingerprint. A key Keysmith did not add may be the
 * one the user logs in with: that gets a stronger warning.
 */
export function DeleteKeyDialog({
  sshKey,
  onDone,
}: {
  sshKey: SshKey;
  /** Closes the dialog; `deleted` says whether the key is gone. */
  onDone: (deleted: boolean) => void;
}) {
  const deleteKey = useDeleteKey();
  const busy = deleteKey.isPending;
  const name = keyDisplayName(sshKey);
  const place = useKeyPlace();
  return (
    <ConfirmDialog
      open
      onOpenChange={(open) => {
        if (!open && !busy) onDone(false);
      }}
      title={`Delete SSH key "${name}"?`}
      description={
        <>
          Removes the key with fingerprint <span className="mono">{sshKey.fingerprint}</span> from{' '}
          {keysWhere(place)}. Logins with it stop working {removalTakesEffect(place)}.
        </>
      }
      confirmLabel={busy ? 'Deleting…' : 'Delete Key'}
      onConfirm={() => deleteKey.mutate(sshKey.fingerprint, { onSuccess: () => onDone(true) })}
      busy={busy}
    >
      {!sshKey.managed && (
        <p className="danger-box" role="note">
          <strong>This key was not added by Keysmith.</strong> It may be the key you use to log in
          yourself, or one another tool relies on. If it is your only way in, you may lose access to
          this account.
        </p>
      )}
      {deleteKey.isError && (
        <p role="alert" className="error-box">
          {deleteKey.error.message}
        </p>
      )}
    </ConfirmDialog>
  );
}
