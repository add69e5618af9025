import { useState, type SubmitEvent } from 'react';
import { ed25519PublicBlob, generateEd25519KeyPair } from '../../../crypto/keygen.ts';
import { encodePrivateKey } from '../../../crypto/private-key.ts';
import { fingerprintSha256, formatPublicKey } from '../../../crypto/public-key.ts';
import { randomart } from '../../../crypto/randomart.ts';
import { useKdf } from '../../crypto/kdf-context.tsx';
import { Dialog, DialogClose } from '../../ui/dialog.tsx';
import type { GeneratedKey } from './generated-key.ts';
import { KeyOptionsFields } from './key-options-fields.tsx';
import {
  defaultKeyOptions,
  toCreateOptions,
  validateKeyOptions,
  type KeyOptionsErrors,
  type KeyOptionsValue,
} from './key-options.ts';
import { useCreateKey } from './use-ssh-key-mutations.ts';

type Phase = 'form' | 'generating' | 'encrypting' | 'saving';

interface GenerateKeyDialogProps {
  onCancel: () => void;
  onGenerated: (key: GeneratedKey) => void;
}

/**
 * "Generate SSH Key": an ed25519 pair made in this browser, the private half encrypted here
 * (bcrypt_pbkdf in Web Workers), and only the public line and the options POSTed.
 */
export function GenerateKeyDialog({ onCancel, onGenerated }: GenerateKeyDialogProps) {
  const kdf = useKdf();
  const createKey = useCreateKey();
  const [options, setOptions] = useState<KeyOptionsValue>(() =>
    defaultKeyOptions('key', new Date()),
  );
  const [passphrase, setPassphrase] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [submitted, setSubmitted] = useState(false);
  const [phase, setPhase] = useState<Phase>('form');
  const [failure, setFailure] = useState<string | null>(null);

  const errors: KeyOptionsErrors = submitted ? validateKeyOptions(options, new Date()) : {};
  const mismatch = submitted && passphrase !== confirmation;
  const busy = phase !== 'form';

  async function generate(event: SubmitEvent) {
    event.preventDefault();
    setSubmitted(true);
    setFailure(null);
    const now = new Date();
    if (Object.keys(validateKeyOptions(options, now)).length > 0 || passphrase !== confirmation) {
      return;
    }
    try {
      setPhase('generating');
      const pair = await generateEd25519KeyPair();
      const comment = options.name;
      if (passphrase !== '') setPhase('encrypting');
      const privateKey = await encodePrivateKey(pair, {
        comment,
        ...(passphrase === '' ? {} : { passphrase }),
        kdf,
      });
      const blob = ed25519PublicBlob(pair.publicKey);
      // The seed is in privateKey now; wipe the loose copy (best effort in a GC'd language).
      pair.seed.fill(0);
      const publicKey = formatPublicKey({ type: 'ssh-ed25519', blob, comment });
      setPhase('saving');
      await createKey.mutateAsync({ publicKey, ...toCreateOptions(options, now) });
      onGenerated({
        name: options.name,
        comment,
        privateKey,
        publicKey,
        fingerprint: fingerprintSha256(blob),
        randomart: randomart(blob, 'ssh-ed25519', 256),
        encrypted: passphrase !== '',
      });
    } catch (error) {
      setPhase('form');
      setFailure(error instanceof Error ? error.message : String(error));
    }
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
      <form onSubmit={(event) => void generate(event)} noValidate>
        <KeyOptionsFields
          value={options}
          onChange={setOptions}
          errors={errors}
          disabled={busy}
          afterName={
            <>
              <div className="field">
                <label htmlFor="generate-passphrase">Passphrase</label>
                <input
                  id="generate-passphrase"
                  type="password"
                  autoComplete="new-password"
                  value={passphrase}
                  disabled={busy}
                  aria-describedby="generate-passphrase-hint"
                  onChange={(event) => setPassphrase(event.target.value)}
                />
                <p id="generate-passphrase-hint" className="hint">
                  Optional. Encrypts the private key; you (or Seqera) will need it each time the key
                  is used. Leave empty for a key without passphrase.
                </p>
              </div>
              <div className="field">
                <label htmlFor="generate-confirmation">Confirm passphrase</label>
                <input
                  id="generate-confirmation"
                  type="password"
                  autoComplete="new-password"
                  value={confirmation}
                  disabled={busy}
                  aria-invalid={mismatch ? true : undefined}
                  aria-describedby={mismatch ? 'generate-confirmation-error' : undefined}
                  onChange={(event) => setConfirmation(event.target.value)}
                />
                {mismatch && (
                  <p id="generate-confirmation-error" className="error-text">
                    The passphrases do not match. Type the same passphrase twice.
                  </p>
                )}
              </div>
            </>
          }
        />
        <div role="status" className="progress-line">
          {busy && <progress aria-label={progressLabel(phase)} />}
          {busy ? progressLabel(phase) : ''}
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

function progressLabel(phase: Phase): string {
  switch (phase) {
    case 'form':
      return '';
    case 'generating':
      return 'Making the key pair…';
    case 'encrypting':
      return 'Encrypting the private key with your passphrase…';
    case 'saving':
      return 'Adding the public key to authorized_keys…';
    default:
      return phase satisfies never;
  }
}
