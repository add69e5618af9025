import { KEY_NAME_PATTERN, type CreateKeyRequest } from '../../../api/ssh-keys.ts';

/** Expiry choices offered in the dialogs; 90 days is the suggested practice. */
export type ExpiryChoice = 'none' | '30' | '90' | '365' | 'date';
/** The two kinds of access the dialogs offer (the API also knows "full"; we never offer it). */
export type AccessChoice = 'restricted' | 'interactive';

export interface KeyOptionsValue {
  name: string;
  expiry: ExpiryChoice;
  /** `YYYY-MM-DD` from the date input, used when expiry is "date". */
  date: string;
  access: AccessChoice;
}

export interface KeyOptionsErrors {
  name?: string;
  date?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** `YYYYMMDD` of a local date, for names such as `key-20261123`. */
export function compactDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}`;
}

export function defaultKeyOptions(prefix: string, now: Date): KeyOptionsValue {
  return { name: `${prefix}-${compactDate(now)}`, expiry: '90', date: '', access: 'restricted' };
}

/** Messages for the fields that are wrong, keyed by field; empty when all is well. */
export function validateKeyOptions(value: KeyOptionsValue, now: Date): KeyOptionsErrors {
  const errors: KeyOptionsErrors = {};
  if (value.name.length === 0) errors.name = 'Enter a name for the key.';
  else if (!KEY_NAME_PATTERN.test(value.name)) {
    errors.name =
      'Use 1–100 letters, digits, "-" or "_" (no spaces), so the name also works as a Seqera credential name.';
  }
  if (value.expiry === 'date') {
    const expiresAt = dateInputToExpiry(value.date);
    if (expiresAt === null) errors.date = 'Choose the date the key stops working.';
    else if (expiresAt.getTime() <= now.getTime()) errors.date = 'Choose a date in the future.';
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

/** The options part of a POST /api/ssh-keys body. Call only after validateKeyOptions passed. */
export function toCreateOptions(
  value: KeyOptionsValue,
  now: Date,
): Pick<CreateKeyRequest, 'name' | 'expiresAt' | 'access'> {
  let expiresAt: Date | null;
  switch (value.expiry) {
    case 'none':
      expiresAt = null;
      break;
    case '30':
    case '90':
    case '365':
      expiresAt = new Date(now.getTime() + Number(value.expiry) * DAY_MS);
      break;
    case 'date':
      expiresAt = dateInputToExpiry(value.date);
      break;
    default:
      value.expiry satisfies never;
      expiresAt = null;
  }
  return {
    name: value.name,
    access: value.access,
    ...(expiresAt === null ? {} : { expiresAt: expiresAt.toISOString() }),
  };
}
