/**
 * One line of an authorized_keys file, `[options] type base64 [comment]`, read the way sshd 9.2
 * reads it (sshd(8) AUTHORIZED_KEYS FILE FORMAT; auth2-pubkeyfile.c check_authkey_line,
 * auth-options.c sshauthopt_parse), and written so that sshd reads back exactly what we meant.
 */
import { parseAbsoluteTime } from './absolute-time.ts';
import { KeyFormatError } from './errors.ts';
import { looksLikeKeyTypeName, type PublicKey } from './key-types.ts';
import { findControlCharacter, formatPublicKey } from './public-key-line.ts';
import { readSshdKey, type KeyQuirk } from './sshd-key-reader.ts';

export interface AuthorizedKeyOption {
  /** Lower-cased, as sshd compares names case-insensitively; flags keep their `no-` prefix. */
  name: string;
  /** The value without its quotes, `\"` turned into `"`; null for a flag. */
  value: string | null;
}

export interface AuthorizedKeyEntry {
  options: AuthorizedKeyOption[];
  /** Canonical type and blob, as sshd compares and fingerprints them; the comment as written. */
  key: PublicKey;
  /** Where the line is not written as Keysmith writes lines, all of it read by sshd the same. */
  quirks: KeyQuirk[];
}

/** sshauthopt_parse's flags, in its order; `true` when a `no-` prefix is allowed. */
const FLAGS: readonly (readonly [string, boolean])[] = [
  ['restrict', false],
  ['cert-authority', false],
  ['port-forwarding', true],
  ['agent-forwarding', true],
  ['x11-forwarding', true],
  ['touch-required', true],
  ['verify-required', true],
  ['pty', true],
  ['user-rc', true],
];

/** sshauthopt_parse's `name="value"` options, in its order. */
const VALUED = [
  'command',
  'principals',
  'from',
  'expiry-time',
  'environment',
  'permitopen',
  'permitlisten',
  'tunnel',
] as const;

/** Every option name sshd 9.2 accepts, lower-case, including the `no-` forms. */
export const AUTHORIZED_KEY_OPTION_NAMES: ReadonlySet<string> = new Set([
  ...FLAGS.flatMap(([name, negatable]) => (negatable ? [name, `no-${name}`] : [name])),
  ...VALUED,
]);

function refused(reason: string): KeyFormatError {
  return new KeyFormatError(
    'invalid-key',
    `sshd would ignore this authorized_keys line: ${reason}.`,
  );
}

/** opt_dequote (misc.c): a double-quoted value; `\"` stands for `"`, any other backslash is literal. */
function dequote(text: string, at: number, name: string): { value: string; end: number } {
  if (text[at] !== '"') throw refused(`the value of ${name}= must be in double quotes`);
  let value = '';
  let i = at + 1;
  while (i < text.length && text[i] !== '"') {
    if (text[i] === '\\' && text[i + 1] === '"') i++;
    value += text[i] ?? '';
    i++;
  }
  if (i >= text.length) throw refused(`the value of ${name}= has no closing double quote`);
  return { value, end: i + 1 };
}

/** strtonum (openbsd-compat) over strtoll base 10: C isspace blanks, a sign, digits, nothing after. */
function strtonum(text: string, max: number): number | null {
  const match = /^[ \t\n\v\f\r]*([+-]?)(\d+)$/.exec(text);
  if (match === null) return null;
  const value = Number(match[2]);
  if (match[1] === '-' && value !== 0) return null;
  return value <= max ? value : null;
}

/** auth-options.c handle_permit: hpdelim2 splits host and port, a2port or `*` checks the port. */
function validPermit(value: string, allowBarePort: boolean): boolean {
  const text = allowBarePort && !value.includes(':') ? `*:${value}` : value;
  let sep: number;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return false;
    sep = close + 1;
    if (text[sep] !== ':' && text[sep] !== '/') return false;
  } else {
    sep = text.search(/[:/]/);
    if (sep < 0) return false;
  }
  // NI_MAXHOST is 1025, with the terminating NUL.
  if (sep >= 1025) return false;
  const port = text.slice(sep + 1);
  if (port === '*') return true;
  const number = strtonum(port, 65535);
  if (number !== null) return number > 0;
  // a2port then asks getservbyname(3) (/etc/services); accept the shape of a service name.
  return /^[A-Za-z][A-Za-z0-9._+-]*$/.test(port);
}

/** A value as Keysmith's own grammar would spell it (sshd reads the others too). */
function canonicalValue(name: string, value: string): boolean {
  switch (name) {
    case 'expiry-time':
      return /^\d{8}(\d{4}(\d{2})?)?Z?$/.test(value);
    case 'tunnel':
      return value === 'any' || /^(0|[1-9]\d*)$/.test(value);
    case 'permitopen':
    case 'permitlisten':
      // A bare port is valid for permitlisten= only, so it is never seen here for permitopen=.
      return /^(([^:/]*|\[[^\]]*\]):([1-9]\d*|\*)|[1-9]\d*)$/.test(value);
    default:
      return true;
  }
}

/**
 * Parses sshd's option string starting at `text`, exactly as sshauthopt_parse (auth-options.c)
 * walks it: the walk stops at the first space or tab outside the parsed values.
 */
function parseOptions(text: string): { options: AuthorizedKeyOption[]; canonical: boolean } {
  const options: AuthorizedKeyOption[] = [];
  const seen = new Set<string>();
  const environment = new Set<string>();
  // handle_permit counts permitopen= and permitlisten= each in its own list.
  const permits = { permitopen: 0, permitlisten: 0 };
  let canonical = true;
  let i = 0;
  // sshd's strncasecmp folds only A–Z; Unicode lowering could change lengths ("İ" is two code
  // units) and the offsets found in `lower` are used in `text`.
  const lower = text.replace(/[A-Z]/g, (c) => c.toLowerCase());
  // The caller has found a blank after the options, so the walk ends there or at an error.
  for (;;) {
    const optionStart = i;
    for (const [flag, negatable] of FLAGS) {
      // opt_flag compares only a prefix: "ptyx" matches "pty", then fails on the "x" below.
      const negated = negatable && lower.startsWith('no-', i);
      const start = negated ? i + 3 : i;
      if (lower.startsWith(flag, start)) {
        options.push({ name: negated ? `no-${flag}` : flag, value: null });
        i = start + flag.length;
        break;
      }
    }
    if (i === optionStart) {
      for (const name of VALUED) {
        if (!lower.startsWith(`${name}=`, i)) continue;
        // auth-options.c: one command, principals and from; expiry-time may repeat (the earliest wins).
        if ((name === 'command' || name === 'principals' || name === 'from') && seen.has(name)) {
          throw refused(`it has more than one ${name}= option`);
        }
        seen.add(name);
        // SSH_AUTHOPT_ENV_MAX and SSH_AUTHOPT_PERMIT_MAX, checked before each one is added.
        if (name === 'environment' && environment.size > 1024) {
          throw refused('it has more than 1024 environment= options');
        }
        if ((name === 'permitopen' || name === 'permitlisten') && permits[name] > 4096) {
          throw refused(`it has more than 4096 ${name}= options`);
        }
        const { value, end } = dequote(text, i + name.length + 1, name);
        if (name === 'expiry-time' && parseAbsoluteTime(value) === null) {
          throw refused(`expiry-time="${value}" is not a date of the form YYYYMMDD[HHMM[SS]][Z]`);
        }
        if (name === 'environment') {
          // valid_env_name: letters, digits and _ before the first =.
          const envName = /^([A-Za-z0-9_]+)=/.exec(value)?.[1];
          if (envName === undefined) {
            throw refused('environment= must be NAME=value with a name of letters, digits and _');
          }
          environment.add(envName);
        }
        if (name === 'permitopen' || name === 'permitlisten') {
          if (!validPermit(value, name === 'permitlisten')) {
            throw refused(`${name}="${value}" is not host:port`);
          }
          permits[name]++;
        }
        // misc.c a2tun: "any" in any case, or a number up to SSH_TUNID_MAX.
        if (
          name === 'tunnel' &&
          value.toLowerCase() !== 'any' &&
          strtonum(value, 0x7ffffffd) === null
        ) {
          throw refused(`tunnel="${value}" is not a tunnel device number or "any"`);
        }
        if (!canonicalValue(name, value)) canonical = false;
        options.push({ name, value });
        i = end;
        break;
      }
    }
    if (
      i > optionStart &&
      text.slice(optionStart, i).split('=')[0] !== lower.slice(optionStart, i).split('=')[0]
    ) {
      canonical = false;
    }
    if (text[i] === ' ' || text[i] === '\t') break;
    if (text[i] !== ',') {
      const word = /^[^ \t,]*/.exec(text.slice(optionStart))?.[0] ?? '';
      throw refused(
        `"${word.slice(0, 60)}" is not an option sshd knows (options are comma-separated, with no spaces outside double quotes)`,
      );
    }
    // sshauthopt_parse skips a comma where no option matched: ",restrict" and "a,,b" are read.
    if (i === optionStart) canonical = false;
    i++;
  }
  if (text[i - 1] === ',') canonical = false;
  return { options, canonical };
}

/**
 * Parses one authorized_keys line (without its newline) the way sshd 9.2 reads it
 * (auth2-pubkeyfile.c auth_check_authkey_line): the line ends at a NUL, a trailing CR is part of
 * the comment or skipped in the base64, the key is read by sshkey_read (readSshdKey), options by
 * sshauthopt_parse. The key is returned in OpenSSH's canonical form, what sshd compares and
 * fingerprints; `quirks` says where the line is not written as Keysmith would write it. The
 * comment is kept as written (sshd ignores it), so it may hold characters parsePublicKey refuses.
 * @throws KeyFormatError when sshd would not read a key on the line, or for a blank or `#` line.
 * @throws RangeError when the line holds an LF (it is two lines).
 */
export function parseAuthorizedKeysLine(line: string): AuthorizedKeyEntry {
  if (typeof line !== 'string') throw new TypeError('"line" must be a string');
  if (line.includes('\n')) throw new RangeError('"line" must be a single line without its newline');
  // sshd handles the line as a C string: nothing after a NUL is read.
  const nul = line.indexOf('\0');
  const quirks: KeyQuirk[] = nul >= 0 ? ['nul'] : [];
  // auth_check_authkeys_file: skip_space, then empty lines and `#` lines are skipped.
  const text = (nul >= 0 ? line.slice(0, nul) : line).replace(/\r$/, '').replace(/^[ \t]+/, '');
  if (text === '' || text.startsWith('#')) {
    throw new KeyFormatError('invalid-key', 'This line is blank or a # comment: it holds no key.');
  }
  // sshd first reads the line as a bare key; only when that fails does it look for options.
  let bare: KeyFormatError | null = null;
  try {
    const key = readSshdKey(text);
    return { options: [], key, quirks: [...quirks, ...key.quirks] };
  } catch (error) {
    if (!(error instanceof KeyFormatError)) throw error;
    bare = error;
  }
  // sshkey_advance_past_options: options end at the first space or tab outside quotes.
  let i = 0;
  let quoted = false;
  for (; i < text.length && (quoted || (text[i] !== ' ' && text[i] !== '\t')); i++) {
    if (text[i] === '\\' && text[i + 1] === '"') i++;
    else if (text[i] === '"') quoted = !quoted;
  }
  if (quoted) throw refused('a double quote in the options is never closed');
  const keyText = text.slice(i).replace(/^[ \t]+/, '');
  // A key type name holds no quote, so the options word is then the line's first word.
  if (looksLikeKeyTypeName(text.slice(0, i))) throw bare;
  if (keyText === '') {
    throw refused(`"${text.slice(0, 40)}" is not a key, and no key follows it`);
  }
  const [keyWord = '', ...laterWords] = keyText.split(/[ \t]+/);
  if (!looksLikeKeyTypeName(keyWord) && laterWords.some((t) => looksLikeKeyTypeName(t))) {
    throw refused(
      'the options contain a space (options are comma-separated with no spaces outside double quotes)',
    );
  }
  const key = readSshdKey(keyText);
  // sshauthopt_parse reads from the start of the line, not just the options word: that is why
  // "restrict, ssh-ed25519 …" is accepted by sshd (the walk stops at the space).
  const { options, canonical } = parseOptions(text);
  quirks.push(...key.quirks);
  if (!canonical) quirks.push('option-spelling');
  // auth_check_authkey_line: a cert-authority line never lets in the key itself, and
  // auth_authorise_keyopts refuses principals= without cert-authority.
  const names = new Set(options.map((o) => o.name));
  if (names.has('cert-authority')) quirks.push('cert-authority');
  else if (names.has('principals')) quirks.push('principals');
  return { options, key, quirks };
}

/**
 * Formats an authorized_keys line (no newline) from options this program composed and a key.
 * Values are quoted here; options are joined with commas and no spaces.
 * @throws RangeError for an unknown option name, a flag given a value or the reverse, or a
 * value containing `"`, `\`, CR, LF or NUL (they could end the value or the line early).
 */
export function formatAuthorizedKeysLine(
  options: readonly AuthorizedKeyOption[],
  key: { type: string; blob: Uint8Array; comment: string },
): string {
  if (!Array.isArray(options)) throw new TypeError('"options" must be an array');
  const parts = options.map(({ name, value }) => {
    if (typeof name !== 'string' || !AUTHORIZED_KEY_OPTION_NAMES.has(name)) {
      throw new RangeError(`option "${String(name)}" is not an option sshd 9.2 accepts`);
    }
    const valued = (VALUED as readonly string[]).includes(name);
    if (value === null) {
      if (valued) throw new RangeError(`option "${name}" needs a value`);
      return name;
    }
    if (typeof value !== 'string')
      throw new TypeError(`the value of "${name}" must be a string or null`);
    if (!valued) throw new RangeError(`option "${name}" is a flag and takes no value`);
    if (/["\\\r\n\0]/.test(value)) {
      throw new RangeError(`the value of "${name}" must not contain ", \\, CR, LF or NUL`);
    }
    const bad = findControlCharacter(value);
    if (bad !== null)
      throw new RangeError(
        `the value of "${name}" must not contain control characters (found ${bad})`,
      );
    return `${name}="${value}"`;
  });
  const keyText = formatPublicKey(key);
  return parts.length === 0 ? keyText : `${parts.join(',')} ${keyText}`;
}
