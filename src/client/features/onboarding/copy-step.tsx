import { useEffect, useState } from 'react';
import { ConfirmDialog } from '../../ui/confirm-dialog.tsx';
import type { GeneratedKey } from '../ssh-keys/generated-key.ts';
import { OtherWays } from './other-ways.tsx';
import { credentialsRequestBody } from './seqera.ts';
import { SeqeraForm } from './seqera-form.tsx';
import { SendToSeqera } from './send-to-seqera.tsx';

interface CopyStepProps {
  generated: GeneratedKey;
  passphrase: string;
  /** The Linux user name, for Seqera's managed identities. */
  user: string;
  /** A renewal: the credential of this name is edited in Seqera, not added. */
  renewing: boolean;
  /** The Seqera APIs this server lets the page send to (`--seqera-api`); none: no sending. */
  seqeraApis: readonly string[];
  /** The user says the credential is in Seqera; the page then forgets the private key. */
  onPasted: () => void;
}

/**
 * Step 3: Seqera's credential form field by field; sending it from the page when the server
 * allows it; the `tw` command and the API body folded away.
 */
export function CopyStep({
  generated,
  passphrase,
  user,
  renewing,
  seqeraApis,
  onPasted,
}: CopyStepProps) {
  const [saved, setSaved] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const name = generated.name;

  // Until the key is copied, downloaded or sent, closing or reloading the tab asks first: the
  // browser's own prompt (HTML "beforeunload"), as the one-time dialog does on the SSH Keys page.
  useEffect(() => {
    if (saved) return;
    const ask = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', ask);
    return () => window.removeEventListener('beforeunload', ask);
  }, [saved]);

  return (
    <>
      <p className="warning-box" role="note">
        <strong>This is the only time the private key is here.</strong> Keysmith keeps no copy: once
        you continue or leave this page, it is gone, and a lost key can only be replaced by a new
        one. Paste a private key only into the service that uses it: here, Seqera&apos;s credential
        form.
      </p>
      {renewing ? (
        <p>
          In Seqera Platform, open <strong>Credentials</strong> (or the user menu →{' '}
          <strong>Your credentials</strong>), find <strong>{name}</strong> and select{' '}
          <strong>Edit</strong>. Paste the new private key
          {generated.encrypted ? ' and passphrase' : ''} below over the old ones and save. Keep the
          name: whatever uses {name} then logs in with the new key. Do not add a second credential.
        </p>
      ) : (
        <p>
          In Seqera Platform, open <strong>Credentials</strong> → <strong>Add Credentials</strong>{' '}
          (or, for your personal workspace, the user menu → <strong>Your credentials</strong> →{' '}
          <strong>Add credentials</strong>) and fill in the form:
        </p>
      )}

      <SeqeraForm
        generated={generated}
        passphrase={passphrase}
        user={user}
        onSaved={() => setSaved(true)}
      />
      <p>
        Then select <strong>{renewing ? 'Save' : 'Add'}</strong>. The credential is listed under the
        Credentials tab.
      </p>

      {!renewing && seqeraApis.length > 0 && (
        <details className="other-ways">
          <summary>Or send it to Seqera Platform from this page</summary>
          <SendToSeqera
            name={name}
            apiUrls={seqeraApis}
            body={credentialsRequestBody({ name, privateKey: generated.privateKey, passphrase })}
            onCreated={() => setSaved(true)}
          />
        </details>
      )}
      {!renewing && (
        <OtherWays
          name={name}
          privateKey={generated.privateKey}
          passphrase={passphrase}
          encrypted={generated.encrypted}
        />
      )}

      <div className="action-row step-actions">
        <button
          type="button"
          className="button button-primary"
          onClick={() => (saved ? onPasted() : setConfirming(true))}
        >
          {renewing ? 'I have updated it in Seqera' : 'I have added it to Seqera'}
        </button>
      </div>

      <ConfirmDialog
        open={confirming}
        onOpenChange={(open) => {
          if (!open) setConfirming(false);
        }}
        title="Continue without the private key?"
        description="You have neither copied nor downloaded the SSH private key. After this step it is gone for good; without it in Seqera, Seqera cannot log in."
        cancelLabel="Go back"
        confirmLabel="Continue anyway"
        onConfirm={onPasted}
      />
    </>
  );
}
