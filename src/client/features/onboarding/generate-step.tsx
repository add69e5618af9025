import { useQuery } from '@tanstack/react-query';
import { useState, type SubmitEvent } from 'react';
import type { GeneratedKey } from '../ssh-keys/generated-key.ts';
import { KeyOptionsFields } from '../ssh-keys/key-options-fields.tsx';
import {
  defaultKeyOptions,
  validateKeyOptions,
  type KeyOptionsErrors,
  type KeyOptionsValue,
} from '../ssh-keys/key-options.ts';
import { PassphraseFields } from '../ssh-keys/passphrase-fields.tsx';
import { sshKeysQueryOptions } from '../ssh-keys/ssh-keys-query-options.ts';
import { generatePhaseLabel, useGenerateKey } from '../ssh-keys/use-generate-key.ts';
import { seqeraCredentialName } from './seqera.ts';

interface GenerateStepProps {
  user: string;
  /** The passphrase goes up with the key: step 3 shows it for Seqera's Passphrase field. */
  onGenerated: (generated: GeneratedKey, passphrase: string) => void;
}

/**
 * Step 2: the SSH Keys page's own generation (useGenerateKey), preset for Seqera: restricted
 * access, the name `seqera-<user>`, 90 days, and a passphrase recommended.
 */
export function GenerateStep({ user, onGenerated }: GenerateStepProps) {
  const keys = useQuery(sshKeysQueryOptions());
  const [options, setOptions] = useState<KeyOptionsValue | null>(null);
  const [passphrase, setPassphrase] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [submitted, setSubmitted] = useState(false);

  // The suggested name avoids names already in the file, so it is unique in Seqera too.
  const taken = new Set((keys.data?.keys ?? []).flatMap((key) => (key.name ? [key.name] : [])));
  const value: KeyOptionsValue = options ?? {
    ...defaultKeyOptions('seqera', new Date()),
    name: seqeraCredentialName(user, taken),
  };
  const { generate, phase, busy, failure } = useGenerateKey(
    value.name,
    passphrase === confirmation ? passphrase : '',
  );
  const errors: KeyOptionsErrors = submitted ? validateKeyOptions(value, new Date()) : {};

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    setSubmitted(true);
    const now = new Date();
    if (Object.keys(validateKeyOptions(value, now)).length > 0 || passphrase !== confirmation) {
      return;
    }
    // Seqera runs commands over SSH and needs nothing more: always restricted (`restrict`).
    const generated = await generate({ ...value, access: 'restricted' }, passphrase, now);
    if (generated) onGenerated(generated, passphrase);
  }

  return (
    <form
      onSubmit={(event) => void submit(event)}
      noValidate
      aria-label="Generate a key for Seqera"
    >
      <KeyOptionsFields
        value={value}
        onChange={setOptions}
        errors={errors}
        disabled={busy}
        showAccess={false}
        afterName={
          <PassphraseFields
            passphrase={passphrase}
            confirmation={confirmation}
            onPassphraseChange={setPassphrase}
            onConfirmationChange={setConfirmation}
            submitted={submitted}
            disabled={busy}
            hint="Recommended. It encrypts the private key, so a copy that leaks (a clipboard history, a backup, a screenshot) cannot log in without it. Seqera stores it with the key and uses it for you; you type it once, into Seqera's Passphrase field."
          />
        }
      />
      <p className="hint" id="onboarding-access">
        Access: <strong>Restricted</strong> (sshd&apos;s <code>restrict</code>): Seqera can run
        commands and copy files, but gets no terminal and no forwarding. The 90-day expiry means a
        forgotten key stops working by itself; run this again to replace it.
      </p>
      <div role="status" className="progress-line">
        {busy && <progress aria-label={generatePhaseLabel(phase)} />}
        {generatePhaseLabel(phase)}
      </div>
      {failure && (
        <p role="alert" className="error-box">
          {failure}
        </p>
      )}
      <div className="action-row">
        <button type="submit" className="button button-primary" disabled={busy}>
          Generate Key
        </button>
      </div>
    </form>
  );
}
