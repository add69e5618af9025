import { NO_POLICY, type Policy } from '../../../api/policy.ts';
import {
  fromListSchema,
  KEY_NAME_PATTERN,
  type Access,
  type CreateKeyRequest,
} from '../../../api/ssh-keys.ts';

/** When the key stops working: never, in a number of days (`'90'`), or on a chosen date. */
export type ExpiryChoice = 'none' | 'date' | `${number}`;
/** What the key may do: the API's access levels, offered in words of purpose. */
export type AccessChoice = Access;

export interface KeyOptionsValue {
  name: string;
  expiry: ExpiryChoice;
  /** `YYYY-MM-DD` from the date input, used when expiry is "date". */
  date: string;
  access: AccessChoice;
  /** Source address patterns as typed (sshd's `from=`), separated by commas or blanks. */
  from: string;
}

export interface KeyOptionsErrors {
  name?: string;
  date?: string;
  from?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const SUGGESTED_DAYS = 90;
const PRESET_DAYS = [30, SUGGESTED_DAYS, 365];

/** `YYYYMMDD` of a local date, for names such as `key-20261123`. */
export function compactDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}`;
}

export function defaultKeyOptions(
  prefix: string,
  now: Date,
  access: AccessChoice = 'restricted',
): KeyOptionsValue {
  return {
    name: `${prefix}-${compactDate(now)}`,
    expiry: String(SUGGESTED_DAYS) as ExpiryChoice,
    date: '',
    access,
    from: '',
  };
}

/**
 * An imported key's name: its comment when that is a valid name, else the comment with every
 * run of other characters made a `-` (`you@laptop` → `you-laptop`), else `imported-DATE`.
 */
export function nameFromComment(comment: string, now: Date): string {
  if (KEY_NAME_PATTERN.test(comment)) return comment;
  const cleaned = comment
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 100)
    .replace(/-+$/, '');
  return cleaned === '' ? `imported-${compactDate(now)}` : cleaned;
}

/** The expiry choices `policy` allows, in order: no "Never" and nothing past its maximum. */
export function expiryChoices(policy: Policy): { value: ExpiryChoice; label: string }[] {
  const max = policy.maxLifetimeDays;
  const days = PRESET_DAYS.filter((n) => max === null || n <= max);
  if (max !== null && !days.includes(max)) days.push(max);
  days.sort((a, b) => a - b);
  return [
    ...(max === null ? [{ value: 'none' as const, label: 'Never' }] : []),
    ...days.map((n) => ({
      value: String(n) as ExpiryChoice,
      label:
        n === SUGGESTED_DAYS
          ? `In ${n} days (suggested)`
          : n === max
            ? `In ${n} days (the longest allowed here)`
            : `In ${n} days`,
    })),
    { value: 'date' as const, label: 'On a date…' },
  ];
}

/** The access levels `policy` allows, in the order the dialogs offer them. */
export function accessChoices(policy: Policy): AccessChoice[] {
  const offered: AccessChoice[] = ['interactive', 'restricted', 'full'];
  const allowed = policy.allowedAccess;
  return allowed === null ? offered : offered.filter((access) => allowed.includes(access));
}

/**
 * `value` with any choice `policy` does not offer replaced by one it does (the policy may
 * arrive after the dialog opened): 90 days or the longest allowed, the first access allowed.
 */
export function fitToPolicy(value: KeyOptionsValue, policy: Policy): KeyOptionsValue {
  const expiries = expiryChoices(policy).map((choice) => choice.value);
  const accesses = accessChoices(policy);
  let expiry = value.expiry;
  if (!expiries.includes(expiry)) {
    const days = expiries.filter((choice) => choice !== 'none' && choice !== 'date').map(Number);
    const fitting = days.filter((n) => n <= SUGGESTED_DAYS);
    expiry = String(fitting.length > 0 ? Math.max(...fitting) : Math.min(...days)) as ExpiryChoice;
  }
  const access = accesses.includes(value.access) ? value.access : (accesses[0] ?? value.access);
  return expiry === value.expiry && access === value.access ? value : { ...value, expiry, access };
}

/** The typed source addresses as a list: commas and blanks both separate. */
export function fromPatterns(from: string): string[] {
  return from.split(/[\s,]+/).filter((pattern) => pattern !== '');
}

/** Messages for the fields that are wrong, keyed by field; empty when all is well. */
export function validateKeyOptions(
  value: KeyOptionsValue,
  now: Date,
  policy: Policy = NO_POLICY,
): KeyOptionsErrors {
  const errors: KeyOptionsErrors = {};
  if (value.name.length === 0) errors.name = 'Enter a name for the key.';
  else if (!KEY_NAME_PATTERN.test(value.name)) {
    errors.name =
      'Use 1–100 letters, digits, "-" or "_" (no spaces), so the name also works as a Seqera credential name.';
  }
  if (value.expiry === 'date') {
    const expiresAt = dateInputToExpiry(value.date);
    const max = policy.maxLifetimeDays;
    if (expiresAt === null) errors.date = 'Choose the date the key stops working.';
    else if (expiresAt.getTime() <= now.getTime()) errors.date = 'Choose a date in the future.';
    else if (max !== null && expiresAt.getTime() - now.getTime() > max * DAY_MS) {
      errors.date = `Keys may live at most ${max} days here: choose a date within ${max} days.`;
    }
  }
  const patterns = fromPatterns(value.from);
  if (patterns.length === 0) {
    if (policy.requireFrom) {
      errors.from =
        'This site requires source addresses: add the networks you log in from, such as 10.0.0.0/8.';
    }
  } else {
    const parsed = fromListSchema.safeParse(patterns);
    if (!parsed.success) errors.from = parsed.error.issues[0]?.message ?? 'Check the addresses.';
  }
  return errors;
}

/** The end of the chosen local day: the key works through the whole date shown. */
function dateInputToExpiry(date: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return null;
  const result = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 23, 59, 59);
  return Number.isNaN(result.getTime()) ? null : result;
}

/** When a key with these options stops working, or null for never. */
export function expiryOf(value: KeyOptionsValue, now: Date): Date | null {
  switch (value.expiry) {
    case 'none':
      return null;
    case 'date':
      return dateInputToExpiry(value.date);
    default:
      return new Date(now.getTime() + Number(value.expiry) * DAY_MS);
  }
}

/** The options part of a POST /api/ssh-keys body. Call only after validateKeyOptions passed. */
export function toCreateOptions(
  value: KeyOptionsValue,
  now: Date,
): Pick<CreateKeyRequest, 'name' | 'expiresAt' | 'access' | 'from'> {
  const expiresAt = expiryOf(value, now);
  const from = fromPatterns(value.from);
  return {
    name: value.name,
    access: value.access,
    ...(expiresAt === null ? {} : { expiresAt: expiresAt.toISOString() }),
    ...(from.length === 0 ? {} : { from }),
  };
}
