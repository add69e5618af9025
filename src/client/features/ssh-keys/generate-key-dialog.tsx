import { useState, type SubmitEvent } from 'react';
import { Dialog, DialogFormActions } from '../../ui/dialog.tsx';
import { GenerateProgress } from './generate-progress.tsx';
import type { GeneratedKey } from './generated-key.ts';
import { KeyOptionsFields } from './key-options-fields.tsx';
import { keysWhere, useKeyPlace } from './key-place.ts';
import { defaultKeyOptions, fitToPolicy, type KeyOptionsValue } from './key-options.ts';
import { PassphraseFields } from './passphrase-fields.tsx';
import { useGenerateKeyForm } from './use-generate-key-form.ts';
import { usePolicy } from './use-policy.ts';

interface GenerateKeyDialogProps {
  onCancel: () => void;
  onGenerated: (key: GeneratedKey) => void;
}

/**
 * "Generate SSH Key": an ed25519 pair made in this browser, the private half encrypted here
 * (bcrypt_pbkdf in Web Workers), and only the public line and the options POSTed.
 */
export function GenerateKeyDialog({ onCancel, onGenerated }: GenerateKeyDialogProps) {
  const policy = usePolicy();
  const [typed, setOptions] = useState<KeyOptionsValue>(() => defaultKeyOptions('key', new Date()));
  const options = fitToPolicy(typed, policy);
  const form = useGenerateKeyForm(options, policy);
  const busy = form.busy;
  const place = useKeyPlace();

  async function submit(event: SubmitEvent) {
    const generated = await form.submit(event);
    if (generated) onGenerated(generated);
  }

  return (
    <Dialog
      open
      onOpenChange={(open) => {
        if (!open && !busy) onCancel();
      }}
      title="Generate SSH Key"
      description={`Makes a new ed25519 key pair in this browser and adds its public key to ${keysWhere(place)}. The private key never leaves this browser.`}
    >
      <form onSubmit={(event) => void submit(event)} noValidate>
        <KeyOptionsFields
          value={options}
          onChange={setOptions}
          errors={form.errors}
          disabled={busy}
          policy={policy}
          afterName={
            <PassphraseFields
              {...form.passphraseFields}
              hint="Optional. Encrypts the private key; you (or Seqera) will need it each time the key is used. Leave empty for a key without passphrase."
            />
          }
        />
        <GenerateProgress phase={form.phase} busy={busy} failure={form.failure} />
        <DialogFormActions submitLabel="Generate Key" busy={busy} />
      </form>
    </Dialog>
  );
}
