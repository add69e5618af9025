import { useQuery } from '@tanstack/react-query';
import { useState, type SubmitEvent } from 'react';
import { GenerateProgress } from '../ssh-keys/generate-progress.tsx';
import type { GeneratedKey } from '../ssh-keys/generated-key.ts';
import { KeyOptionsFields } from '../ssh-keys/key-options-fields.tsx';
import { defaultKeyOptions, type KeyOptionsValue } from '../ssh-keys/key-options.ts';
import { PassphraseFields } from '../ssh-keys/passphrase-fields.tsx';
import { sshKeysQueryOptions } from '../ssh-keys/ssh-keys-query-options.ts';
import { useGenerateKeyForm } from '../ssh-keys/use-generate-key-form.ts';
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

  // The suggested name avoids names already in the file, so it is unique in Seqera too.
  const taken = new Set((keys.data?.keys ?? []).flatMap((key) => (key.name ? [key.name] : [])));
  const value: KeyOptionsValue = options ?? {
    ...defaultKeyOptions('seqera', new Date()),
    name: seqeraCredentialName(user, taken),
  };
  const form = useGenerateKeyForm(value);
  const busy = form.busy;

  async function submit(event: SubmitEvent) {
    // Seqera runs commands over SSH and needs nothing more: always restricted (`restrict`).
    const generated = await form.submit(event, { ...value, access: 'restricted' });
    if (generated) onGenerated(generated, form.passphrase);
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
        errors={form.errors}
        disabled={busy}
        showAccess={false}
        afterName={
          <PassphraseFields
            {...form.passphraseFields}
            hint="Recommended. It encrypts the private key, so a copy that leaks (a clipboard history, a backup, a screenshot) cannot log in without it. Seqera stores it with the key and uses it for you; you type it once, into Seqera's Passphrase field."
          />
        }
      />
      <p className="hint" id="onboarding-access">
        Access: <strong>Restricted</strong> (sshd&apos;s <code>restrict</code>): Seqera can run
        commands and copy files, but gets no terminal and no forwarding. The 90-day expiry means a
        forgotten key stops working by itself; run this again to replace it.
      </p>
      <GenerateProgress phase={form.phase} busy={busy} failure={form.failure} />
      <div className="action-row">
        <button type="submit" className="button button-primary" disabled={busy}>
          Generate Key
        </button>
      </div>
    </form>
  );
}
