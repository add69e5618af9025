/**
 * What the options of an authorized_keys line amount to (sshd(8) AUTHORIZED_KEYS FILE FORMAT,
 * auth-options.c): their expiry, their decoded values, the access level they give, and the
 * options Keysmith composes for an access level.
 */
import { bytesEqual } from '../crypto/bytes.ts';
import { parseAbsoluteTime } from './absolute-time.ts';
import type { Access, DerivedAccess } from './access-levels.ts';
import { parseAuthorizedKeysLine, type AuthorizedKeyOption } from './authorized-keys-line.ts';

/** The options sshd applies to a key line, decoded. */
export interface DecodedOptions {
  restrict: boolean;
  pty: boolean;
  from: string[] | null;
  /** The raw `expiry-time` value as written, e.g. `20270101` or `202701011200Z`. */
  expiryTime: string | null;
  command: string | null;
  /** Every option as written, in order. */
  raw: string[];
}

/**
 * Reads sshd's `expiry-time` value as sshd 9.2 does (misc.c parse_absolute_time, see
 * parseAbsoluteTime): without `Z` or `UTC` in the local standard time of this process's time
 * zone, the same machine as sshd in practice. Null when sshd refuses the value.
 */
export function parseExpiryTime(value: string): Date | null {
  const seconds = parseAbsoluteTime(value);
  return seconds === null ? null : new Date(seconds * 1000);
}

/** The expiry-time sshd applies: the earliest of them (auth-options.c keeps the smallest). */
export function earliestExpiry(
  options: readonly AuthorizedKeyOption[],
): { raw: string; date: Date } | null {
  let earliest: { raw: string; date: Date } | null = null;
  for (const option of options) {
    if (option.name !== 'expiry-time' || option.value === null) continue;
    const date = parseExpiryTime(option.value);
    if (date !== null && (earliest === null || date.getTime() < earliest.date.getTime())) {
      earliest = { raw: option.value, date };
    }
  }
  return earliest;
}

/** sshd's `expiry-time` value in UTC with seconds: `YYYYMMDDHHMMSSZ` (whole seconds, rounded down). */
export function formatExpiryTime(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/** An option as text: `name` or `name="value"` with `"` escaped as sshd reads it back. */
export function rawOption(option: AuthorizedKeyOption): string {
  return option.value === null
    ? option.name
    : `${option.name}="${option.value.replaceAll('"', '\\"')}"`;
}

/** Decodes the options sshd applies to a key line. */
export function decodeOptions(options: readonly AuthorizedKeyOption[]): DecodedOptions {
  const find = (name: string) => options.find((option) => option.name === name);
  const from = find('from');
  return {
    restrict: find('restrict') !== undefined,
    pty: find('pty') !== undefined,
    from: from?.value == null ? null : from.value.split(','),
    expiryTime: earliestExpiry(options)?.raw ?? null,
    command: find('command')?.value ?? null,
    raw: options.map(rawOption),
  };
}

/** The access level that a set of options amounts to; `from` and `expiry-time` do not change it. */
export function deriveAccess(options: readonly AuthorizedKeyOption[]): DerivedAccess {
  const rest = options
    .filter((option) => option.name !== 'from' && option.name !== 'expiry-time')
    .map(rawOption)
    .sort()
    .join(',');
  switch (rest) {
    case 'restrict':
      return 'restricted';
    case 'pty,restrict':
      return 'interactive';
    case '':
      return 'full';
    default:
      return 'custom';
  }
}

/** The options that give an access level, in the order Keysmith writes them. */
export function composeAccessOptions(access: Access): AuthorizedKeyOption[] {
  switch (access) {
    case 'restricted':
      return [{ name: 'restrict', value: null }];
    case 'interactive':
      return [
        { name: 'restrict', value: null },
        { name: 'pty', value: null },
      ];
    case 'full':
      return [];
    default:
      return access satisfies never;
  }
}

/**
 * True when sshd reads `line` as one line holding exactly this key and these options, in this
 * order: a composed line is written only when it reads back as what was meant.
 * @throws KeyFormatError when sshd would not read a key on the line at all.
 */
export function readsBackAs(
  line: string,
  options: readonly AuthorizedKeyOption[],
  key: { type: string; blob: Uint8Array },
): boolean {
  if (/[\r\n\0]/.test(line)) return false;
  const reread = parseAuthorizedKeysLine(line);
  return (
    reread.key.type === key.type &&
    bytesEqual(reread.key.blob, key.blob) &&
    reread.options.length === options.length &&
    reread.options.every((option, i) => {
      const composed = options[i];
      return (
        composed !== undefined && option.name === composed.name && option.value === composed.value
      );
    })
  );
}
