import { useState, type ReactNode } from 'react';
import { CopyButton } from '../../ui/copy-button.tsx';
import { ConfirmDialog } from '../../ui/confirm-dialog.tsx';
import { Dialog } from '../../ui/dialog.tsx';
import type { GeneratedKey } from './generated-key.ts';
import { additionTakesEffect, keysWhere, useKeyPlace } from './key-place.ts';
import { PrivateKeyActions } from './private-key-actions.tsx';
import { useDeleteKey } from './use-ssh-key-mutations.ts';

interface KeyGeneratedDialogProps {
  generated: GeneratedKey;
  /**
   * Drops the key: the page forgets `generated` when this is called. `removed` says whether its
   * public half was taken out of authorized_keys too (discarded unsaved).
   */
  onClose: (removed: boolean) => void;
  /** A step that follows saving the key (Replace: removing the old key), below Copy and Download. */
  children?: (saved: boolean) => ReactNode;
}

type CloseState = 'open' | 'confirming';

/**
 * "SSH Key Generated": the one time the private key is shown. Unlike Fileglancer, Escape, a
 * click outside or Close do not throw the key away unseen: until it was copied or downloaded,
 * closing asks first, and discarding also removes the public key nobody holds the private
 * half of (unless the user unticks that).
 */
export function KeyGeneratedDialog({ generated, onClose, children }: KeyGeneratedDialogProps) {
  const [saved, setSaved] = useState(false);
  const [closeState, setCloseState] = useState<CloseState>('open');
  const [downloaded, setDownloaded] = useState(false);
  const [removeOnDiscard, setRemoveOnDiscard] = useState(true);
  const deleteKey = useDeleteKey();
  const discarding = deleteKey.isPending;
  const place = useKeyPlace();
  const whenEverywhere = additionTakesEffect(place);

  function requestClose() {
    if (saved) onClose(false);
    else setCloseState('confirming');
  }

  function discard() {
    if (!removeOnDiscard) {
      onClose(false);
      return;
    }
    deleteKey.mutate(generated.fingerprint, { onSuccess: () => onClose(true) });
  }

  return (
    <>
      <Dialog
        open
        size="wide"
        onOpenChange={(open) => {
          if (!open) requestClose();
        }}
        title="SSH Key Generated"
        description={`The public key of "${generated.name}" is now in ${keysWhere(place)}.${whenEverywhere === null ? '' : ` ${whenEverywhere}`}`}
      >
        <p className="warning-box" role="note">
          <strong>Copy or download the private key now.</strong> It will not be shown again:
          Keysmith keeps no copy, and a lost key can only be replaced by a new one.
        </p>

        <PrivateKeyActions
          privateKey={generated.privateKey}
          fileName={generated.name}
          copyLabel="Copy Private Key"
          onSaved={(how) => {
            setSaved(true);
            if (how === 'downloaded') setDownloaded(true);
          }}
        />
        {downloaded && (
          <p className="hint" role="status">
            Downloaded as <code>{generated.name}</code>. Move it to <code>~/.ssh</code> and make it
            private, or ssh refuses it:{' '}
            <code className="command">
              mv ~/Downloads/{generated.name} ~/.ssh/ && chmod 600 ~/.ssh/{generated.name}
            </code>
          </p>
        )}
        {children?.(saved)}
        <p className="hint">
          {generated.encrypted
            ? 'The private key is encrypted with your passphrase; you need both to use it.'
            : 'The private key has no passphrase: anyone with the file can log in as you.'}{' '}
          Paste a private key only into the service that will use it, such as a new SSH credential
          in Seqera Platform.
        </p>

        <h3 className="section-title">Public key</h3>
        <pre className="code-block" aria-label="Public key">
          {generated.publicKey}
        </pre>
        <CopyButton text={generated.publicKey} label="Copy Public Key" />

        <h3 className="section-title">Key Information</h3>
        <dl className="key-info">
          <dt>Type</dt>
          <dd>ssh-ed25519 (ED25519, 256 bits)</dd>
          <dt>Fingerprint</dt>
          <dd className="mono">{generated.fingerprint}</dd>
          <dt>Comment</dt>
          <dd className="mono">{generated.comment}</dd>
        </dl>
        <details className="randomart-details">
          <summary>Show randomart</summary>
          <pre className="randomart" aria-label="Randomart of the key">
            {generated.randomart}
          </pre>
        </details>

        <div className="dialog-actions">
          <button type="button" className="button button-secondary" onClick={requestClose}>
            Close
          </button>
        </div>
      </Dialog>

      <ConfirmDialog
        open={closeState === 'confirming'}
        onOpenChange={(open) => {
          if (!open && !discarding) setCloseState('open');
        }}
        title="Close without saving the key?"
        description="You have neither copied nor downloaded the private key. Once closed, it is gone for good; you would have to generate a new key."
        cancelLabel="Go back"
        confirmLabel={discarding ? 'Removing…' : 'Close without saving'}
        onConfirm={discard}
        busy={discarding}
      >
        <div className="checkbox">
          <input
            type="checkbox"
            id="discard-remove-key"
            checked={removeOnDiscard}
            disabled={discarding}
            aria-describedby="discard-remove-key-hint"
            onChange={(event) => setRemoveOnDiscard(event.target.checked)}
          />
          <label htmlFor="discard-remove-key">Also remove the key from the server</label>
          <p id="discard-remove-key-hint" className="hint">
            Takes its public key out of {keysWhere(place)}, so no key that nobody can use is left
            there.
          </p>
        </div>
        {deleteKey.isError && (
          <p role="alert" className="error-box">
            Could not remove the key: {deleteKey.error.message} Or untick the box to close and
            delete it from the list later.
          </p>
        )}
      </ConfirmDialog>
    </>
  );
}
