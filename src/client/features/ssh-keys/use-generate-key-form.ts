import { useState, type SubmitEvent } from 'react';
import type { GeneratedKey } from './generated-key.ts';
import { validateKeyOptions, type KeyOptionsErrors, type KeyOptionsValue } from './key-options.ts';
import { useGenerateKey } from './use-generate-key.ts';

/**
 * The state of a "generate a key" form, shared by the SSH Keys dialog and the onboarding step:
 * the passphrase typed twice, the validation shown after the first submit, and the generation.
 */
export function useGenerateKeyForm(options: KeyOptionsValue) {
  const [passphrase, setPassphrase] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [submitted, setSubmitted] = useState(false);
  // The key pair is prepared while the user types; only a confirmed passphrase is used for it.
  const { generate, phase, busy, failure } = useGenerateKey(
    options.name,
    passphrase === confirmation ? passphrase : '',
  );
  const errors: KeyOptionsErrors = submitted ? validateKeyOptions(options, new Date()) : {};

  /** Validates the form, then generates `toGenerate` (the options as typed, or a preset of them). */
  async function submit(event: SubmitEvent, toGenerate = options): Promise<GeneratedKey | null> {
    event.preventDefault();
    setSubmitted(true);
    const now = new Date();
    if (Object.keys(validateKeyOptions(options, now)).length > 0 || passphrase !== confirmation) {
      return null;
    }
    return generate(toGenerate, passphrase, now);
  }

  const passphraseFields = {
    passphrase,
    confirmation,
    onPassphraseChange: setPassphrase,
    onConfirmationChange: setConfirmation,
    submitted,
    disabled: busy,
  };
  return { submit, passphrase, passphraseFields, errors, phase, busy, failure };
}
