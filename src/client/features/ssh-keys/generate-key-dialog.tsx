import { useState, type SubmitEvent } from 'react';
import { Dialog, DialogClose } from '../../ui/dialog.tsx';
import type { GeneratedKey } from './generated-key.ts';
import { KeyOptionsFields } from './key-options-fields.tsx';
import {
  defaultKeyOptions,
  validateKeyOptions,
  type KeyOptionsErrors,
  type KeyOptionsValue,
} from './key-options.ts';
import { PassphraseFields } from './passphrase-fields.tsx';
import { generatePhaseLabel, useGenerateKey } from './use-generate-key.ts';

interface GenerateKeyDialogProps {
  onCancel: () => void;
  onGenerated: (key: GeneratedKey) => void;
}

/**
 * "Generate SSH Key": an ed25519 pair made in this browser, the private half encrypted here
 * (bcrypt_pbkdf in Web Workers), and only the public line and the options POSTed.
 */
export function GenerateKeyDialog({ onCancel, onGenerated }: GenerateKeyDialogProps) {
  const [options, setOptions] = useState<KeyOptionsValue>(() =>
    defaultKeyOptions('key', new Date()),
  );
  const [passphrase, setPassphrase] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const { generate, phase, busy, failure } = useGenerateKey(
    options.name,
    passphrase === confirmation ? passphrase : '',
  );
  const [submitted, setSubmitted] = useState(false);

  const errors: KeyOptionsErrors = submitted ? validateKeyOptions(options, new Date()) : {};

  async function submit(event: SubmitEvent) {
    event.preventDefault();
    setSubmitted(true);
    const now = new Date();
    if (Object.keys(validateKeyOptions(options, now)).length > 0 || passphrase !== confirmation) {
      return;
    }
    const generated = await generate(options, passphrase, now);
    if (generated) onGenerated(generated);
  }

  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open && !busy) onCancel();
      }}
      title="Generate SSH Key"
      description="Makes a new ed25519 key pair in this browser and adds its public key to your ~/.ssh/authorized_keys. The private key never leaves this browser."
    >
      <form onSubmit={(event) => void submit(event)} noValidate>
        <KeyOptionsFields
          value={options}
          onChange={setOptions}
          errors={errors}
          disabled={busy}
          afterName={
            <PassphraseFields
              passphrase={passphrase}
              confirmation={confirmation}
              onPassphraseChange={setPassphrase}
              onConfirmationChange={setConfirmation}
              submitted={submitted}
              disabled={busy}
              hint="Optional. Encrypts the private key; you (or Seqera) will need it each time the key is used. Leave empty for a key without passphrase."
            />
          }
        />
        <div role="status" className="progress-line">
          {busy && <progress aria-label={generatePhaseLabel(phase)} />}
          {generatePhaseLabel(phase)}
        </div>
        {failure && (
          <p role="alert" className="error-box">
            {failure}
          </p>
        )}

        <div className="dialog-actions">
          <DialogClose asChild>
            <button type="button" className="button button-secondary" disabled={busy}>
              Cancel
            </button>
          </DialogClose>
          <button type="submit" className="button button-primary" disabled={busy}>
            Generate Key
          </button>
        </div>
      </form>
    </Dialog>
  );
}
