import type { ReactNode } from 'react';
import { CopyButton } from '../../ui/copy-button.tsx';
import type { GeneratedKey } from '../ssh-keys/generated-key.ts';
import { PrivateKeyActions } from '../ssh-keys/private-key-actions.tsx';
import { privateKeyPreview, SEQERA_NAME_PATTERN } from './seqera.ts';

interface SeqeraFormProps {
  generated: GeneratedKey;
  passphrase: string;
  /** The Linux user name, for Seqera's managed identities. */
  user: string;
  /** The private key was copied or downloaded. */
  onSaved: () => void;
}

/**
 * Seqera's SSH credential form field by field, with the form's own labels and a copy button
 * each (REFERENCE.md, "Seqera Platform SSH credentials").
 */
export function SeqeraForm({ generated, passphrase, user, onSaved }: SeqeraFormProps) {
  const name = generated.name;
  const nameOk = SEQERA_NAME_PATTERN.test(name);
  return (
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
            onSaved={onSaved}
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
