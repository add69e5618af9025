import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { apiPaths, type SshKey } from '../../../api/ssh-keys.ts';
import { fetchNoContent } from '../../api/fetch-json.ts';
import { ConfirmDialog } from '../../ui/confirm-dialog.tsx';
import { formatDay, keyDisplayName } from './key-display.ts';
import { keysWhere, useKeyPlace } from './key-place.ts';
import { removeKeys, type RemovalOutcome } from './remove-keys.ts';
import { sshKeysQueryOptions } from './ssh-keys-query-options.ts';

type RemoveState =
  { phase: 'confirm' } | { phase: 'removing' } | { phase: 'partial'; outcome: RemovalOutcome };

function keysWord(count: number): string {
  return count === 1 ? '1 expired key' : `${count} expired keys`;
}

/**
 * "Remove expired keys": one confirmation for all of them, then a DELETE of each. When some
 * fail, it says which were removed and which not, and offers to try the rest again.
 */
export function RemoveExpiredDialog({
  keys,
  onDone,
}: {
  keys: readonly SshKey[];
  /** The dialog is over; `removed` is true when every key it was opened for is gone. */
  onDone: (removed: boolean) => void;
}) {
  const queryClient = useQueryClient();
  const [pending, setPending] = useState(keys);
  const [state, setState] = useState<RemoveState>({ phase: 'confirm' });
  const busy = state.phase === 'removing';
  const place = useKeyPlace();

  async function remove() {
    setState({ phase: 'removing' });
    const outcome = await removeKeys(pending, (fingerprint) =>
      fetchNoContent(apiPaths.sshKey(fingerprint), { method: 'DELETE' }),
    );
    void queryClient.invalidateQueries({ queryKey: sshKeysQueryOptions().queryKey });
    if (outcome.failed.length === 0) {
      onDone(true);
      return;
    }
    setPending(outcome.failed.map((failure) => failure.key));
    setState({ phase: 'partial', outcome });
  }

  return (
    <ConfirmDialog
      open
      onOpenChange={(open) => {
        if (!open && !busy) onDone(false);
      }}
      title={`Remove ${keysWord(pending.length)}?`}
      description={`sshd already ignores them. Each is removed from ${keysWhere(place)}${place.kind === 'file' ? ", with Keysmith's line above it" : ''}.`}
      cancelLabel={state.phase === 'partial' ? 'Close' : 'Cancel'}
      confirmLabel={
        busy
          ? 'Removing…'
          : state.phase === 'partial'
            ? `Try again (${pending.length})`
            : `Remove ${keysWord(pending.length)}`
      }
      onConfirm={() => void remove()}
      busy={busy}
    >
      {state.phase === 'partial' ? (
        <div role="alert" className="error-box">
          <p>
            {state.outcome.removed.length === 0
              ? 'No key was removed.'
              : `Removed: ${state.outcome.removed.map(keyDisplayName).join(', ')}.`}
          </p>
          <p>Not removed, still in {keysWhere(place)} (sshd ignores them):</p>
          <ul className="warning-list">
            {state.outcome.failed.map((failure) => (
              <li key={failure.key.fingerprint}>
                {keyDisplayName(failure.key)}: {failure.message}
              </li>
            ))}
          </ul>
        </div>
      ) : (
        // Focusable: a long list scrolls, and keyboard users must be able to scroll it too.
        <ul className="removal-list" aria-label="Keys to remove" tabIndex={0}>
          {pending.map((key) => (
            <li key={key.fingerprint}>
              {keyDisplayName(key)}
              {key.expiresAt !== null && (
                <span className="key-row-muted"> · expired {formatDay(key.expiresAt)}</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </ConfirmDialog>
  );
}
