import { useEffect, useState, type ReactNode } from 'react';
import { CopyButton } from '../../ui/copy-button.tsx';
import { ConfirmDialog } from '../../ui/confirm-dialog.tsx';
import type { GeneratedKey } from '../ssh-keys/generated-key.ts';
import { PrivateKeyActions } from '../ssh-keys/private-key-actions.tsx';
import { SendToSeqera } from './send-to-seqera.tsx';
import {
  credentialsRequestBody,
  privateKeyPath,
  privateKeyPreview,
  SEQERA_NAME_PATTERN,
  twCredentialsCommand,
} from './seqera.ts';

interface CopyStepProps {
  generated: GeneratedKey;
  passphrase: string;
  /** The Linux user name, for Seqera's managed identities. */
  user: string;
  /** The user says the credential is in Seqera; the page then forgets the private key. */
  onPasted: () => void;
}

/**
 * Step 3: Seqera's "Add credentials" form field by field, with the form's own labels and a copy
 * button each; then the same credential as a `tw` command and as the JSON body of
 * `POST /credentials`, built here and never sent to the Keysmith server.
 */
export function CopyStep({ generated, passphrase, user, onPasted }: CopyStepProps) {
  const [saved, setSaved] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const name = generated.name;
  const nameOk = SEQERA_NAME_PATTERN.test(name);
  const body = credentialsRequestBody({ name, privateKey: generated.privateKey, passphrase });
  // On screen the body is shortened and the passphrase masked; the copy is the real body.
  const shownBody = credentialsRequestBody({
    name,
    privateKey: privateKeyPreview(generated.privateKey),
    passphrase: passphrase === '' ? '' : '••••••••',
  });
  const keyFile = privateKeyPath(name);

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
        you continue or reload this page, it is gone, and a lost key can only be replaced by a new
        one.
      </p>
      <p>
        In Seqera Platform, open <strong>Credentials</strong> → <strong>Add Credentials</strong>{' '}
        (or, for your personal workspace, the user menu → <strong>Your credentials</strong> →{' '}
        <strong>Add credentials</strong>) and fill in the form:
      </p>

      <dl className="seqera-form">
        <SeqeraField label="Name" value={name} copyLabel="Copy Name">
          <p className={nameOk ? 'ok-text' : 'error-text'}>
            {nameOk
              ? 'Matches Seqera’s rule: 1–100 letters, digits, "-" or "_".'
              : 'Does not match Seqera’s rule (1–100 letters, digits, "-" or "_"): start over with another name.'}
          </p>
        </SeqeraField>
        <SeqeraField label="Provider" value="SSH" copyLabel="Copy Provider">
          <p className="hint">Choose SSH in the list.</p>
        </SeqeraField>
        <div className="seqera-field">
          <dt>SSH private key</dt>
          <dd>
            <pre className="code-block" aria-label="SSH private key (shortened on screen)">
              {privateKeyPreview(generated.privateKey)}
            </pre>
            <PrivateKeyActions
              privateKey={generated.privateKey}
              fileName={name}
              copyLabel="Copy SSH private key"
              onSaved={() => setSaved(true)}
            />
            <p className="hint">
              The whole file, with the <code>-----BEGIN OPENSSH PRIVATE KEY-----</code> and{' '}
              <code>-----END OPENSSH PRIVATE KEY-----</code> lines; the copy holds all of it.
            </p>
          </dd>
        </div>
        {generated.encrypted ? (
          <SeqeraField
            label="Passphrase"
            value="••••••••"
            copyText={passphrase}
            copyLabel="Copy Passphrase"
          >
            <p className="hint">The passphrase you chose (hidden here; the copy holds it).</p>
          </SeqeraField>
        ) : (
          <div className="seqera-field">
            <dt>Passphrase</dt>
            <dd>
              <p>Leave blank: this key has no passphrase.</p>
            </dd>
          </div>
        )}
        <SeqeraField label="Linux user name" value={user} copyLabel="Copy Linux user name">
          <p className="hint">Only for a managed identity: your user name on this cluster.</p>
        </SeqeraField>
      </dl>
      <p>
        Then select <strong>Add</strong>. The credential is listed under the Credentials tab.
      </p>

      <h3 className="section-title">With the Seqera CLI (tw)</h3>
      <p className="hint">
        Save the private key as <code>{keyFile}</code> first (Download, then{' '}
        <code className="command">
          mv ~/Downloads/{name} ~/.ssh/ && chmod 600 {keyFile}
        </code>
        ){generated.encrypted ? '; -p makes tw ask for the passphrase.' : '.'}
      </p>
      <CommandBlock
        label="tw command"
        text={twCredentialsCommand(name, generated.encrypted)}
        copyLabel="Copy tw command"
      />

      <h3 className="section-title">With the Seqera API</h3>
      <p className="hint">
        The body of <code>POST /credentials?workspaceId=WORKSPACE_ID</code> (leave out{' '}
        <code>workspaceId</code> for your personal workspace), sent with your Seqera access token as{' '}
        <code>Authorization: Bearer</code>. Built in this page; it never goes to the Keysmith
        server. Shortened on screen, with the passphrase masked; the copy is the full body.
      </p>
      <pre className="code-block" aria-label="JSON body (shortened on screen)">
        {shownBody}
      </pre>
      <CopyButton text={body} label="Copy JSON body" />

      <h3 className="section-title">Send to Seqera Platform (optional)</h3>
      <SendToSeqera name={name} body={body} onCreated={() => setSaved(true)} />

      <div className="action-row step-actions">
        <button
          type="button"
          className="button button-primary"
          onClick={() => (saved ? onPasted() : setConfirming(true))}
        >
          I have added it to Seqera
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

/** One field of Seqera's form: its label, the value, and a copy button named after the label. */
function SeqeraField({
  label,
  value,
  copyText,
  copyLabel,
  children,
}: {
  label: string;
  value: string;
  /** What the button copies, when it is not the value shown (a masked passphrase). */
  copyText?: string;
  copyLabel: string;
  children?: ReactNode;
}) {
  return (
    <div className="seqera-field">
      <dt>{label}</dt>
      <dd>
        <span className="mono field-value">{value}</span>{' '}
        <CopyButton text={copyText ?? value} label="Copy" accessibleLabel={copyLabel} />
        {children}
      </dd>
    </div>
  );
}

function CommandBlock({
  label,
  text,
  copyLabel,
}: {
  label: string;
  text: string;
  copyLabel: string;
}) {
  return (
    <>
      <pre className="code-block" aria-label={label}>
        {text}
      </pre>
      <CopyButton text={text} label="Copy" accessibleLabel={copyLabel} />
    </>
  );
}
