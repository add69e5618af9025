/**
 * One line of an authorized_keys file, `[options] type base64 [comment]`, read the way sshd 9.2
 * reads it (sshd(8) AUTHORIZED_KEYS FILE FORMAT; auth2-pubkeyfile.c check_authkey_line,
 * auth-options.c sshauthopt_parse), and written so that sshd reads back exactly what we meant.
 */
import { KeyFormatError } from './errors.ts';
import {
  findControlCharacter,
  formatPublicKey,
  isPublicKeyType,
  parseKeyFields,
  type PublicKey,
} from './public-key.ts';

export interface AuthorizedKeyOption {
  /** Lower-cased, as sshd compares names case-insensitively; flags keep their `no-` prefix. */
  name: string;
  /** The value without its quotes, `\"` turned into `"`; null for a flag. */
  value: string | null;
}

export interface AuthorizedKeyEntry {
  options: AuthorizedKeyOption[];
  key: PublicKey;
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

/** opt_dequote: a double-quoted value; `\"` stands for `"`, any other backslash is literal. */
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

/** misc.c parse_absolute_time: YYYYMMDD[HHMM[SS]], optionally followed by Z or UTC. */
function validExpiryTime(value: string): boolean {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?(?:[Zz]|UTC|utc)?$/.exec(value);
  if (!m) return false;
  const [month, day, hour, minute, second] = [m[2], m[3], m[4], m[5], m[6]].map((v) =>
    v === undefined ? 0 : Number(v),
  ) as [number, number, number, number, number];
  return (
    Number(m[1]) > 0 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= 31 &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 61
  );
}

/** auth-options.c handle_permit: `host:port`, `[host]:port`, port a number 1–65535 or `*`. */
function validPermit(value: string, allowBarePort: boolean): boolean {
  let text = value;
  if (allowBarePort && !text.includes(':')) text = `*:${text}`;
  let port: string;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0 || (text[close + 1] !== ':' && text[close + 1] !== '/')) return false;
    port = text.slice(close + 2);
  } else {
    const sep = text.search(/[:/]/);
    if (sep < 0) return false;
    port = text.slice(sep + 1);
  }
  if (port === '*') return true;
  // a2port also accepts service names from /etc/services; accept the shape of one.
  if (/^\d+$/.test(port)) return Number(port) >= 1 && Number(port) <= 65535;
  return /^[A-Za-z][A-Za-z0-9-]*$/.test(port);
}

/**
 * Parses sshd's option string starting at `text`, exactly as sshauthopt_parse walks it: the
 * walk stops at the first space or tab outside the parsed values.
 */
function parseOptions(text: string): AuthorizedKeyOption[] {
  const options: AuthorizedKeyOption[] = [];
  const seen = new Set<string>();
  let i = 0;
  // Option names match without regard to ASCII case, as sshd's strncasecmp does. Only A–Z may
  // be lowered: Unicode lowering changes lengths ("İ" becomes two code units), and the offsets
  // found in `lower` are used in `text`. toLowerCase is that for ASCII text, and 20 × faster.
  const lower = /[\u0080-\uffff]/.test(text)
    ? text.replace(/[A-Z]/g, (c) => c.toLowerCase())
    : text.toLowerCase();
  while (i < text.length && text[i] !== ' ' && text[i] !== '\t') {
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
        if ((name === 'command' || name === 'principals' || name === 'from') && seen.has(name)) {
          throw refused(`it has more than one ${name}= option`);
        }
        seen.add(name);
        const { value, end } = dequote(text, i + name.length + 1, name);
        if (name === 'expiry-time' && !validExpiryTime(value)) {
          throw refused(`expiry-time="${value}" is not a date of the form YYYYMMDD[HHMM[SS]][Z]`);
        }
        if (name === 'environment') {
          const eq = value.indexOf('=');
          if (eq <= 0 || !/^[A-Za-z0-9_]+$/.test(value.slice(0, eq))) {
            throw refused('environment= must be NAME=value with a name of letters, digits and _');
          }
        }
        if (
          (name === 'permitopen' || name === 'permitlisten') &&
          !validPermit(value, name === 'permitlisten')
        ) {
          throw refused(`${name}="${value}" is not host:port`);
        }
        if (
          name === 'tunnel' &&
          value !== 'any' &&
          !(/^\d+$/.test(value) && Number(value) <= 0x7ffffffd)
        ) {
          throw refused(`tunnel="${value}" is not a tunnel device number or "any"`);
        }
        options.push({ name, value });
        i = end;
        break;
      }
    }
    if (i >= text.length || text[i] === ' ' || text[i] === '\t') break;
    if (text[i] !== ',') {
      const word = /^[^ \t,]*/.exec(text.slice(optionStart))?.[0] ?? '';
      throw refused(
        `"${word.slice(0, 60)}" is not an option sshd knows (options are comma-separated, with no spaces outside double quotes)`,
      );
    }
    i++;
    if (i >= text.length) throw refused('the options end with a comma');
  }
  return options;
}

/**
 * Parses one authorized_keys line (without its newline; one trailing CR is ignored), with or
 * without options, the way sshd reads it. The comment is kept as written (sshd ignores it), so
 * it may hold characters parsePublicKey would refuse.
 * @throws KeyFormatError when sshd would not accept the line, or for a blank or `#` line.
 */
export function parseAuthorizedKeysLine(line: string): AuthorizedKeyEntry {
  if (typeof line !== 'string') throw new TypeError('"line" must be a string');
  const text = line.replace(/\r$/, '').replace(/^[ \t]+/, '');
  if (/[\r\n]/.test(text)) throw new RangeError('"line" must be a single line without its newline');
  if (text === '' || text.startsWith('#')) {
    throw new KeyFormatError('invalid-key', 'This line is blank or a # comment: it holds no key.');
  }
  // sshd first reads the line as a bare key; only when that fails does it look for options.
  const firstWord = /^[^ \t]*/.exec(text)?.[0] ?? '';
  if (isPublicKeyType(firstWord)) return { options: [], key: parseKeyFields(text) };

  // sshkey_advance_past_options: options end at the first space or tab outside quotes.
  let i = 0;
  let quoted = false;
  for (; i < text.length && (quoted || (text[i] !== ' ' && text[i] !== '\t')); i++) {
    if (text[i] === '\\' && text[i + 1] === '"') i++;
    else if (text[i] === '"') quoted = !quoted;
  }
  if (quoted) throw refused('a double quote in the options is never closed');
  const keyText = text.slice(i).replace(/^[ \t]+/, '');
  if (keyText === '') {
    throw refused(`"${text.slice(0, 40)}" is not a key, and no key follows it`);
  }
  const keyWord = /^[^ \t]*/.exec(keyText)?.[0] ?? '';
  if (!isPublicKeyType(keyWord) && keyText.split(/[ \t]+/).some((t) => isPublicKeyType(t))) {
    throw refused(
      'the options contain a space (options are comma-separated with no spaces outside double quotes)',
    );
  }
  const key = parseKeyFields(keyText);
  // sshauthopt_parse reads from the start of the line, not just the options word: that is why
  // "restrict, ssh-ed25519 …" is accepted by sshd (the walk stops at the space).
  const options = parseOptions(text);
  return { options, key };
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
