import { useId, type ReactNode } from 'react';
import type {
  AccessChoice,
  ExpiryChoice,
  KeyOptionsErrors,
  KeyOptionsValue,
} from './key-options.ts';

interface KeyOptionsFieldsProps {
  value: KeyOptionsValue;
  onChange: (value: KeyOptionsValue) => void;
  /** Shown only once the user tried to submit or left the field, not while typing. */
  errors: KeyOptionsErrors;
  disabled?: boolean;
  /** Fields that belong right after the name (the passphrase, when generating). */
  afterName?: ReactNode;
  /** False where the access is fixed by the caller (onboarding: always restricted). */
  showAccess?: boolean;
}

// An array, not an object: JavaScript lists integer-like keys ('30', '90') first.
const expiryChoices: readonly { value: ExpiryChoice; label: string }[] = [
  { value: 'none', label: 'Never' },
  { value: '30', label: 'In 30 days' },
  { value: '90', label: 'In 90 days (suggested)' },
  { value: '365', label: 'In 365 days' },
  { value: 'date', label: 'On a date…' },
];

/** Name, expiry and access: the same fields for a generated and for an imported key. */
export function KeyOptionsFields({
  value,
  onChange,
  errors,
  disabled,
  afterName,
  showAccess = true,
}: KeyOptionsFieldsProps) {
  const id = useId();
  const today = new Date();
  const minDate = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input
          id={`${id}-name`}
          name="name"
          value={value.name}
          disabled={disabled}
          autoComplete="off"
          spellCheck={false}
          maxLength={100}
          aria-invalid={errors.name ? true : undefined}
          aria-describedby={`${id}-name-hint${errors.name ? ` ${id}-name-error` : ''}`}
          onChange={(event) => onChange({ ...value, name: event.target.value })}
        />
        <p id={`${id}-name-hint`} className="hint">
          Letters, digits, <code>-</code> and <code>_</code>; also the key&apos;s comment, and
          usable as a Seqera credential name.
        </p>
        {errors.name && (
          <p id={`${id}-name-error`} className="error-text">
            {errors.name}
          </p>
        )}
      </div>

      {afterName}

      <div className="field">
        <label htmlFor={`${id}-expiry`}>Expires</label>
        <select
          id={`${id}-expiry`}
          value={value.expiry}
          disabled={disabled}
          onChange={(event) => onChange({ ...value, expiry: event.target.value as ExpiryChoice })}
        >
          {expiryChoices.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
        {value.expiry === 'date' && (
          <>
            <label htmlFor={`${id}-date`} className="sub-label">
              Expiry date
            </label>
            <input
              id={`${id}-date`}
              type="date"
              min={minDate}
              value={value.date}
              disabled={disabled}
              aria-invalid={errors.date ? true : undefined}
              aria-describedby={errors.date ? `${id}-date-error` : undefined}
              onChange={(event) => onChange({ ...value, date: event.target.value })}
            />
            {errors.date && (
              <p id={`${id}-date-error`} className="error-text">
                {errors.date}
              </p>
            )}
          </>
        )}
        <p className="hint">sshd itself refuses the key after this date (expiry-time).</p>
      </div>

      {showAccess && (
        <fieldset className="field" disabled={disabled}>
          <legend>Access</legend>
          <AccessRadio
            id={`${id}-restricted`}
            group={`${id}-access`}
            checked={value.access === 'restricted'}
            onSelect={() => onChange({ ...value, access: 'restricted' satisfies AccessChoice })}
            label="Restricted"
            hint="For automation such as Seqera: commands only, no terminal, no forwarding."
          />
          <AccessRadio
            id={`${id}-interactive`}
            group={`${id}-access`}
            checked={value.access === 'interactive'}
            onSelect={() => onChange({ ...value, access: 'interactive' satisfies AccessChoice })}
            label="Interactive login"
            hint="A terminal for you to log in with; still no forwarding."
          />
        </fieldset>
      )}
    </>
  );
}

function AccessRadio(props: {
  id: string;
  group: string;
  checked: boolean;
  onSelect: () => void;
  label: string;
  hint: string;
}) {
  return (
    <div className="radio">
      <input
        type="radio"
        id={props.id}
        name={props.group}
        checked={props.checked}
        aria-describedby={`${props.id}-hint`}
        onChange={props.onSelect}
      />
      <label htmlFor={props.id}>{props.label}</label>
      <p id={`${props.id}-hint`} className="hint">
        {props.hint}
      </p>
    </div>
  );
}
