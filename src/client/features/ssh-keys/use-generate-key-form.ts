import { useState, type SubmitEvent } from 'react';
import { NO_POLICY, type Policy } from '../../../api/policy.ts';
import type { GeneratedKey } from './generated-key.ts';
import { validateKeyOptions, type KeyOptionsErrors, type KeyOptionsValue } from './key-options.ts';
import { useGenerateKey } from './use-generate-key.ts';

/**
 * The state of a "generate a key" form, shared by the SSH Keys dialog and the onboarding step:
 * the passphrase typed twice (required when the site's policy says so), the validation shown
 * after the first submit, and the generation.
 */
export function useGenerateKeyForm(options: KeyOptionsValue, policy: Policy = NO_POLICY) {
  const [passphrase, setPassphrase] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [submitted, setSubmitted] = useState(false);
  // The key pair is prepared while the user types; only a confirmed passphrase is used for it.
  const { generate, phase, busy, failure } = useGenerateKey(
    options.name,
    passphrase === confirmation ? passphrase : '',
  );
  const errors: KeyOptionsErrors = submitted ? validateKeyOptions(options, new Date(), policy) : {};
  const passphraseMissing = policy.requirePassphrase && passphrase === '';

  /** Validates the form, then generates `toGenerate` (the options as typed, or a preset of them). */
  async function submit(event: SubmitEvent, toGenerate = options): Promise<GeneratedKey | null> {
    event.preventDefault();
    setSubmitted(true);
    const now = new Date();
    if (
      Object.keys(validateKeyOptions(options, now, policy)).length > 0 ||
      passphrase !== confirmation ||
      passphraseMissing
    ) {
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
    required: policy.requirePassphrase,
  };
  return { submit, passphrase, passphraseFields, errors, phase, busy, failure };
}
