import { useId, type ReactNode } from 'react';

interface PassphraseFieldsProps {
  passphrase: string;
  confirmation: string;
  onPassphraseChange: (value: string) => void;
  onConfirmationChange: (value: string) => void;
  /** True once the user tried to submit: only then is a mismatch reported. */
  submitted: boolean;
  disabled: boolean;
  /** The site's policy requires one (requirePassphrase): an empty passphrase is refused. */
  required?: boolean;
  /** Says what the passphrase is for; the page and the onboarding flow word it differently. */
  hint: ReactNode;
}

/** Passphrase typed twice, for a generated key's private half. */
export function PassphraseFields({
  passphrase,
  confirmation,
  onPassphraseChange,
  onConfirmationChange,
  submitted,
  disabled,
  required = false,
  hint,
}: PassphraseFieldsProps) {
  const id = useId();
  const missing = submitted && required && passphrase === '';
  const mismatch = submitted && passphrase !== confirmation;
  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-passphrase`}>Passphrase{required ? ' (required here)' : ''}</label>
        <input
          id={`${id}-passphrase`}
          type="password"
          autoComplete="new-password"
          value={passphrase}
          disabled={disabled}
          required={required}
          aria-invalid={missing ? true : undefined}
          aria-describedby={`${id}-passphrase-hint${missing ? ` ${id}-passphrase-error` : ''}`}
          onChange={(event) => onPassphraseChange(event.target.value)}
        />
        <p id={`${id}-passphrase-hint`} className="hint">
          {required
            ? 'This site requires a passphrase: it encrypts the private key, and you (or Seqera) need it each time the key is used.'
            : hint}
        </p>
        {missing && (
          <p id={`${id}-passphrase-error`} className="error-text">
            Enter a passphrase: this site accepts only keys that are encrypted with one.
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor={`${id}-confirmation`}>Confirm passphrase</label>
        <input
          id={`${id}-confirmation`}
          type="password"
          autoComplete="new-password"
          value={confirmation}
          disabled={disabled}
          aria-invalid={mismatch ? true : undefined}
          aria-describedby={mismatch ? `${id}-confirmation-error` : undefined}
          onChange={(event) => onConfirmationChange(event.target.value)}
        />
        {mismatch && (
          <p id={`${id}-confirmation-error`} className="error-text">
            The passphrases do not match. Type the same passphrase twice.
          </p>
        )}
      </div>
    </>
  );
}
