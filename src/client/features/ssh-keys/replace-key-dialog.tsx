import { useState, type SubmitEvent } from 'react';
import type { SshKey } from '../../../api/ssh-keys.ts';
import { ConfirmDialog } from '../../ui/confirm-dialog.tsx';
import { Dialog, DialogFormActions } from '../../ui/dialog.tsx';
import { GenerateProgress } from './generate-progress.tsx';
import type { GeneratedKey } from './generated-key.ts';
import { accessLabel, formatDay, keyDisplayName } from './key-display.ts';
import { KeyGeneratedDialog } from './key-generated-dialog.tsx';
import { expiryOf, fromPatterns } from './key-options.ts';
import { keysWhere, removalTakesEffect, useKeyPlace } from './key-place.ts';
import { PassphraseFields } from './passphrase-fields.tsx';
import { replacementOptions } from './replace-key.ts';
import { useGenerateKeyForm } from './use-generate-key-form.ts';
import { usePolicy } from './use-policy.ts';
import { useDeleteKey } from './use-ssh-key-mutations.ts';

/** Where a replacement stands: the old key goes only after the new one was saved. */
type ReplaceStep =
  | { step: 'form' }
  | { step: 'generated'; generated: GeneratedKey }
  | { step: 'confirm-removal'; generated: GeneratedKey };

/**
 * "Replace": a new key made in this browser with the old key's name, access and source
 * addresses and a fresh expiry, shown once as "+ New Key" shows it; the old key is removed only
 * after the new one was copied or downloaded and the user confirms. A failure at any step
 * leaves the old key in place, so there is never a moment without a working key.
 */
export function ReplaceKeyDialog({
  sshKey,
  onDone,
}: {
  sshKey: SshKey;
  /** The dialog is over: with the new key when one was added and kept, else null. */
  onDone: (replacement: GeneratedKey | null) => void;
}) {
  const [state, setState] = useState<ReplaceStep>({ step: 'form' });
  switch (state.step) {
    case 'form':
      return (
        <ReplaceForm
          sshKey={sshKey}
          onCancel={() => onDone(null)}
          onGenerated={(generated) => setState({ step: 'generated', generated })}
        />
      );
    case 'generated':
    case 'confirm-removal':
      return (
        <>
          <KeyGeneratedDialog
            generated={state.generated}
            onClose={(removed) => onDone(removed ? null : state.generated)}
          >
            {(saved) => (
              <OldKeyStep
                oldKey={sshKey}
                saved={saved}
                onRemove={() => setState({ step: 'confirm-removal', generated: state.generated })}
              />
            )}
          </KeyGeneratedDialog>
          {state.step === 'confirm-removal' && (
            <RemoveOldKeyDialog
              oldKey={sshKey}
              generated={state.generated}
              onCancel={() => setState({ step: 'generated', generated: state.generated })}
              onRemoved={() => onDone(state.generated)}
            />
          )}
        </>
      );
    default:
      return state satisfies never;
  }
}

function ReplaceForm({
  sshKey,
  onCancel,
  onGenerated,
}: {
  sshKey: SshKey;
  onCancel: () => void;
  onGenerated: (generated: GeneratedKey) => void;
}) {
  const policy = usePolicy();
  const [now] = useState(() => new Date());
  const options = replacementOptions(sshKey, policy, now);
  const form = useGenerateKeyForm(options, policy);
  const oldName = keyDisplayName(sshKey);
  const expiresAt = expiryOf(options, now);
  const from = fromPatterns(options.from);
  // The form has no fields for these: a key the policy refuses as it stands cannot be replaced so.
  const { name, date, from: fromError } = form.errors;
  const problems = [name, date, fromError].filter((error) => error !== undefined);

  async function submit(event: SubmitEvent) {
    const generated = await form.submit(event);
    if (generated) onGenerated(generated);
  }

  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open && !form.busy) onCancel();
      }}
      title={`Replace SSH key "${oldName}"`}
      description="Makes a new ed25519 key in this browser with the same name, access and source addresses, and a fresh expiry. The old key keeps working until you have saved the new one and confirmed its removal."
    >
      <form onSubmit={(event) => void submit(event)} noValidate>
        <dl className="key-info" aria-label="The new key">
          <dt>Name</dt>
          <dd className="mono">{options.name}</dd>
          <dt>Access</dt>
          <dd>
            {accessLabel({ ...sshKey, access: options.access })}
            {from.length > 0 && <> · from {from.join(', ')}</>}
          </dd>
          <dt>Expires</dt>
          <dd>{expiresAt === null ? 'Never' : formatDay(expiresAt.toISOString())}</dd>
        </dl>
        <PassphraseFields
          {...form.passphraseFields}
          hint="Optional. Encrypts the new private key; leave empty for a key without passphrase."
        />
        {problems.length > 0 && (
          <div role="alert" className="error-box">
            {problems.map((problem) => (
              <p key={problem}>{problem}</p>
            ))}
            <p>Make a new key with “+ New Key” instead, then delete this one.</p>
          </div>
        )}
        <GenerateProgress phase={form.phase} busy={form.busy} failure={form.failure} />
        <DialogFormActions submitLabel="Generate New Key" busy={form.busy} />
      </form>
    </Dialog>
  );
}

/** Inside "SSH Key Generated": the old key, and its removal once the new key is saved. */
function OldKeyStep({
  oldKey,
  saved,
  onRemove,
}: {
  oldKey: SshKey;
  saved: boolean;
  onRemove: () => void;
}) {
  return (
    <section className="warning-box" aria-label="The old key">
      <p>
        The old key <strong>{keyDisplayName(oldKey)}</strong> (
        <span className="mono">{oldKey.fingerprint}</span>) still works.{' '}
        {saved
          ? 'Remove it now that the new key is saved, or close to keep both.'
          : 'Copy or download the new private key first; then you can remove the old key here.'}
      </p>
      {saved && (
        <button type="button" className="button button-danger" onClick={onRemove}>
          Remove Old Key…
        </button>
      )}
    </section>
  );
}

function RemoveOldKeyDialog({
  oldKey,
  generated,
  onCancel,
  onRemoved,
}: {
  oldKey: SshKey;
  generated: GeneratedKey;
  onCancel: () => void;
  onRemoved: () => void;
}) {
  const deleteKey = useDeleteKey();
  const busy = deleteKey.isPending;
  const place = useKeyPlace();
  return (
    <ConfirmDialog
      open
      onOpenChange={(open) => {
        if (!open && !busy) onCancel();
      }}
      title={`Remove the old key "${keyDisplayName(oldKey)}"?`}
      description={
        <>
          Removes the key with fingerprint <span className="mono">{oldKey.fingerprint}</span> from{' '}
          {keysWhere(place)}: logins with it stop working {removalTakesEffect(place)}. The new key (
          <span className="mono">{generated.fingerprint}</span>) stays.
        </>
      }
      confirmLabel={busy ? 'Removing…' : 'Remove Old Key'}
      onConfirm={() => deleteKey.mutate(oldKey.fingerprint, { onSuccess: onRemoved })}
      busy={busy}
    >
      {deleteKey.isError && (
        <p role="alert" className="error-box">
          Could not remove the old key: {deleteKey.error.message} Both keys are in{' '}
          {keysWhere(place)} and the new one works: try again, or delete the old key from the list
          later.
        </p>
      )}
    </ConfirmDialog>
  );
}
