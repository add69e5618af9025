import { useId, type ReactNode } from 'react';
import { NO_POLICY, type Policy } from '../../../api/policy.ts';
import {
  accessChoices,
  expiryChoices,
  type AccessChoice,
  type ExpiryChoice,
  type KeyOptionsErrors,
  type KeyOptionsValue,
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
  /** The site's limits (GET /api/policy): only the choices it allows are offered. */
  policy?: Policy;
}

/** The purposes, in the words people use; `full` sits under "Advanced". */
const purposes: Record<AccessChoice, { label: string; hint: string }> = {
  interactive: {
    label: 'To log in from my computer (a terminal)',
    hint: 'A shell and commands, as with any ssh login (restrict,pty); no port or agent forwarding.',
  },
  restricted: {
    label: 'For Seqera or other automation (commands only)',
    hint: 'Commands and file copies, no terminal and no forwarding (restrict). A login with it gets no prompt.',
  },
  full: {
    label: 'Full access (port forwarding, agent)',
    hint: 'No restrictions: terminal, port, agent and X11 forwarding. Only for a key you keep safe.',
  },
};

/** Name, expiry, purpose and source addresses: the same fields for a generated and an imported key. */
export function KeyOptionsFields({
  value,
  onChange,
  errors,
  disabled,
  afterName,
  showAccess = true,
  policy = NO_POLICY,
}: KeyOptionsFieldsProps) {
  const id = useId();
  const today = new Date();
  const maxDays = policy.maxLifetimeDays;
  // A date's key works to its end (23:59:59), so the last day within the limit is one before.
  const maxDate =
    maxDays === null
      ? undefined
      : dateInputValue(
          new Date(today.getFullYear(), today.getMonth(), today.getDate() + maxDays - 1),
        );
  const accesses = accessChoices(policy);
  const everyday = accesses.filter((access) => access !== 'full');
  const sourceField = (
    <div className="field">
      <label htmlFor={`${id}-from`}>
        Allowed source addresses{policy.requireFrom ? ' (required here)' : ' (optional)'}
      </label>
      <input
        id={`${id}-from`}
        value={value.from}
        disabled={disabled}
        autoComplete="off"
        spellCheck={false}
        required={policy.requireFrom}
        placeholder="10.0.0.0/8, *.example.org"
        aria-invalid={errors.from ? true : undefined}
        aria-describedby={`${id}-from-hint${errors.from ? ` ${id}-from-error` : ''}`}
        onChange={(event) => onChange({ ...value, from: event.target.value })}
      />
      <p id={`${id}-from-hint`} className="hint">
        sshd lets the key in only from these addresses (from=): addresses, CIDR ranges, host names
        with * wildcards, ! to exclude.
      </p>
      {errors.from && (
        <p id={`${id}-from-error`} className="error-text">
          {errors.from}
        </p>
      )}
    </div>
  );
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

      {showAccess && everyday.length > 0 && (
        <fieldset className="field" disabled={disabled}>
          <legend>What is this key for?</legend>
          {everyday.map((access) => (
            <AccessRadio
              key={access}
              id={`${id}-${access}`}
              group={`${id}-access`}
              checked={value.access === access}
              onSelect={() => onChange({ ...value, access })}
              {...purposes[access]}
            />
          ))}
        </fieldset>
      )}

      <div className="field">
        <label htmlFor={`${id}-expiry`}>Expires</label>
        <select
          id={`${id}-expiry`}
          value={value.expiry}
          disabled={disabled}
          aria-describedby={`${id}-expiry-hint`}
          onChange={(event) => onChange({ ...value, expiry: event.target.value as ExpiryChoice })}
        >
          {expiryChoices(policy).map((choice) => (
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
              min={dateInputValue(today)}
              max={maxDate}
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
        <p id={`${id}-expiry-hint`} className="hint">
          sshd itself refuses the key after this date (expiry-time).
          {policy.maxLifetimeDays !== null &&
            ` This site allows at most ${policy.maxLifetimeDays} days.`}
        </p>
      </div>

      {policy.requireFrom && sourceField}

      {showAccess && (
        <details
          className="advanced"
          open={value.access === 'full' || (!policy.requireFrom && errors.from !== undefined)}
        >
          <summary>Advanced</summary>
          {accesses.includes('full') && (
            <fieldset className="field" disabled={disabled}>
              <legend>More access</legend>
              <AccessRadio
                id={`${id}-full`}
                group={`${id}-access`}
                checked={value.access === 'full'}
                onSelect={() => onChange({ ...value, access: 'full' })}
                {...purposes.full}
              />
            </fieldset>
          )}
          {!policy.requireFrom && sourceField}
        </details>
      )}
    </>
  );
}

/** `YYYY-MM-DD` of a local date, as a date input's value. */
function dateInputValue(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
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
