/**
 * The HTTP contract between the browser app and the server: paths, zod schemas and the types
 * inferred from them. Both sides import this file, so they cannot disagree on a field.
 *
 * Written with `zod/mini`, zod's tree-shakable build of the same parser: the browser app parses
 * every response with these schemas, and only the parts it uses count against its first load.
 */
// The English messages alone: 'zod/locales' would load all of zod's 60-odd languages.
import en from 'zod/v4/locales/en.js';
import * as z from 'zod/mini';
import { ACCESS_LEVELS, DERIVED_ACCESS_LEVELS } from '../openssh/access-levels.ts';
import type { DecodedOptions } from '../openssh/authorized-keys-options.ts';

// zod/mini loads no messages by itself ("Invalid input" for everything); the server turns the
// issues of a refused request into its 400 message, so they must say what was wrong.
z.config(en());

export const apiPaths = {
  me: '/api/me',
  policy: '/api/policy',
  sshKeys: '/api/ssh-keys',
  sshKey: (fingerprint: string) => `/api/ssh-keys/${encodeURIComponent(fingerprint)}`,
} as const;

/**
 * A key's name: also usable as a Seqera Platform credential name (1–100 letters, digits, `-`,
 * `_`), and safe to keep in a `#` line of authorized_keys without any escaping.
 */
export const KEY_NAME_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;
export const keyNameSchema = z
  .string()
  .check(z.regex(KEY_NAME_PATTERN, 'A name is 1–100 letters, digits, "-" or "_" (no spaces).'));

/**
 * One pattern of sshd's `from="pattern-list"` (sshd(8) PATTERNS): host names, addresses,
 * CIDR ranges, `*` and `?` wildcards, a leading `!` to negate. No quotes, commas or spaces,
 * so a pattern can never break out of the option it is written into.
 */
export const FROM_PATTERN = /^!?[A-Za-z0-9.:*?/_-]{1,253}$/;

const IPV4_PART = '(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4 = new RegExp(`^${IPV4_PART}(?:\\.${IPV4_PART}){3}$`);

/** An IPv4 address in dotted decimal (no leading zeros, which inet_aton reads as octal). */
function parseIpv4(text: string): number[] | null {
  return IPV4.test(text) ? text.split('.').map(Number) : null;
}

/** An IPv6 address as inet_pton reads it (`::`, an IPv4 tail), as 16 bytes. */
function parseIpv6(text: string): number[] | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const words: number[][] = [];
  for (const [index, half] of halves.entries()) {
    const pieces = half === '' ? [] : half.split(':');
    const half16: number[] = [];
    for (const [at, piece] of pieces.entries()) {
      const ipv4 =
        index === halves.length - 1 && at === pieces.length - 1 ? parseIpv4(piece) : null;
      if (ipv4 !== null) {
        const [a = 0, b = 0, c = 0, d = 0] = ipv4;
        half16.push(a * 256 + b, c * 256 + d);
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(piece)) half16.push(parseInt(piece, 16));
      else return null;
    }
    words.push(half16);
  }
  const [head = [], tail = []] = words;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  return [...head, ...Array<number>(missing).fill(0), ...tail].flatMap((w) => [w >> 8, w & 255]);
}

function formatAddress(bytes: readonly number[]): string {
  if (bytes.length === 4) return bytes.join('.');
  const words = Array.from(
    { length: 8 },
    (_, i) => (bytes[2 * i] ?? 0) * 256 + (bytes[2 * i + 1] ?? 0),
  );
  // RFC 5952 §4.2: the longest run of two or more zero words becomes "::".
  let best = { at: -1, length: 1 };
  for (let at = 0; at < 8; at++) {
    let length = 0;
    while (at + length < 8 && words[at + length] === 0) length++;
    if (length > best.length) best = { at, length };
  }
  const hex = words.map((w) => w.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.length).join(':')}`;
}

/**
 * What is wrong with a `/` pattern, or null. sshd reads one as a CIDR range or else as a
 * wildcard that no address matches, and refuses every login with the key when the prefix is
 * longer than the address or bits are set after it (addr.c addr_pton_cidr, addrmatch.c
 * addr_match_list).
 */
export function fromPatternProblem(pattern: string): string | null {
  const range = pattern.replace(/^!/, '');
  const slash = range.indexOf('/');
  if (slash < 0) return null;
  const text = range.slice(0, slash);
  const prefixText = range.slice(slash + 1);
  const bytes = parseIpv4(text) ?? parseIpv6(text);
  if (bytes === null || !/^[0-9]{1,3}$/.test(prefixText) || Number(prefixText) > 128) {
    return `"${range}" is not an address range: write a whole address and a prefix length, such as 10.0.0.0/8 or 2001:db8::/32.`;
  }
  const bits = bytes.length * 8;
  const prefix = Number(prefixText);
  if (prefix > bits) {
    return `"${range}" has a prefix longer than the ${bits} bits of an IPv${bits === 32 ? 4 : 6} address, so sshd would refuse every login with this key: use a prefix from 0 to ${bits}.`;
  }
  const network = bytes.map((byte, i) => {
    const kept = Math.min(8, Math.max(0, prefix - 8 * i));
    return byte & ((0xff << (8 - kept)) & 0xff);
  });
  if (network.some((byte, i) => byte !== bytes[i])) {
    const fixed = `${formatAddress(network)}/${prefix}`;
    return `"${range}" has address bits set after its /${prefix} prefix, so sshd would refuse every login with this key: use ${fixed}.`;
  }
  return null;
}

export const fromPatternSchema = z.string().check(
  z.regex(
    FROM_PATTERN,
    'An address pattern is a host name, an address, a CIDR range such as 10.0.0.0/8, with optional * or ? wildcards and a leading ! to exclude.',
  ),
  z.superRefine((pattern, ctx) => {
    const problem = FROM_PATTERN.test(pattern) ? fromPatternProblem(pattern) : null;
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem, input: pattern });
  }),
);

/** sshd lets a key in only when some pattern matches, so `!` patterns alone let no one in (match.c). */
export const fromListSchema = z.array(fromPatternSchema).check(
  z.minLength(1),
  z.maxLength(32),
  z.refine((patterns) => patterns.length === 0 || patterns.some((p) => !p.startsWith('!')), {
    message:
      'A from list of only exclusions (!) lets no address in: add the addresses to allow, such as 10.0.0.0/8 beside !10.1.2.3.',
  }),
);

/** What the key may do once logged in; maps to options the server composes itself. */
export const accessSchema = z.enum(ACCESS_LEVELS);
export type Access = z.infer<typeof accessSchema>;

export const createKeyRequestSchema = z.strictObject({
  /** One OpenSSH public key line: `type base64 [comment]`, no options, no second line. */
  publicKey: z.string().check(z.minLength(1), z.maxLength(16_384)),
  name: z.optional(keyNameSchema),
  /** ISO 8601 date-time in the future; becomes sshd's own `expiry-time="…"`. */
  expiresAt: z.optional(z.iso.datetime({ offset: true })),
  from: z.optional(fromListSchema),
  access: z._default(accessSchema, 'restricted'),
});
export type CreateKeyRequest = z.input<typeof createKeyRequestSchema>;

/*
 * A key's fields that hold their default (null, false, an empty list, an empty comment, no
 * options at all) are left out of the JSON by `toWireKey` and filled back in by these schemas,
 * so a large file lists in fewer bytes.
 */

/** authorized_keys options of a key line, decoded (sshd(8) AUTHORIZED_KEYS FILE FORMAT). */
export const keyOptionsSchema = z.object({
  restrict: z._default(z.boolean(), false),
  pty: z._default(z.boolean(), false),
  from: z._default(z.nullable(z.array(z.string())), null),
  /** The raw `expiry-time` value as written, e.g. `20270101` or `202701011200Z`. */
  expiryTime: z._default(z.nullable(z.string()), null),
  command: z._default(z.nullable(z.string()), null),
  /** Every option as written, in order, for display of what was not decoded above. */
  raw: z._default(z.array(z.string()), () => []),
}) satisfies z.ZodMiniType<DecodedOptions>;
export type KeyOptions = z.infer<typeof keyOptionsSchema>;

/**
 * Why Keysmith would not have written a listed line so, though sshd reads it as this key:
 * shown with the key, with what to do.
 */
export const keyFlagSchema = z.object({
  code: z.enum([
    'rsa-small',
    'rsa-exponent',
    'type-alias',
    'key-encoding',
    'nul',
    'option-spelling',
    'cert-authority',
    'principals',
  ]),
  message: z.string(),
});
export type KeyFlag = z.infer<typeof keyFlagSchema>;

export const sshKeySchema = z.object({
  /** `SHA256:` + 43 base64 characters, as `ssh-keygen -l` prints it. Identifies the key. */
  fingerprint: z.string(),
  /** The key type as written: `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`, … */
  type: z.string(),
  bits: z.int(),
  comment: z._default(z.string(), ''),
  /** The public key line without options: `type base64 comment`. */
  publicKey: z.string(),
  /** No options at all: each option's own default (a fresh object per key). */
  options: z._default(keyOptionsSchema, () => keyOptionsSchema.parse({})),
  /** Derived from options: "restricted" (restrict), "interactive" (restrict,pty), "full" (none), "custom" (anything else). */
  access: z.enum(DERIVED_ACCESS_LEVELS),
  /** ISO 8601 (UTC) from `expiry-time`, or null when the key does not expire. */
  expiresAt: z._default(z.nullable(z.string()), null),
  expired: z._default(z.boolean(), false),
  /** Name and date added: only for keys Keysmith added (kept in a `#` line above the key). */
  name: z._default(z.nullable(z.string()), null),
  addedAt: z._default(z.nullable(z.string()), null),
  managed: z._default(z.boolean(), false),
  /** 1-based line number in authorized_keys, for people looking at the file. */
  line: z.int(),
  /** How the line differs from what Keysmith writes; empty for a line written as Keysmith would. */
  flags: z._default(z.array(keyFlagSchema), () => []),
  /** ISO 8601 (UTC) of the last login sshd logged with this key (--sshd-log); null: never seen. */
  lastUsedAt: z._default(z.nullable(z.string()), null),
  /** The address that login came from, as sshd logged it. */
  lastUsedFrom: z._default(z.nullable(z.string()), null),
});
export type SshKey = z.infer<typeof sshKeySchema>;
/** A key as the server sends it: the fields that hold their default left out. */
export type SshKeyWire = z.input<typeof sshKeySchema>;

/** The options as sent: only those that differ from their default; undefined when none does. */
function toWireOptions(options: KeyOptions): SshKeyWire['options'] {
  const wire: NonNullable<SshKeyWire['options']> = {};
  if (options.restrict) wire.restrict = true;
  if (options.pty) wire.pty = true;
  if (options.from !== null) wire.from = options.from;
  if (options.expiryTime !== null) wire.expiryTime = options.expiryTime;
  if (options.command !== null) wire.command = options.command;
  if (options.raw.length > 0) wire.raw = options.raw;
  return Object.keys(wire).length > 0 ? wire : undefined;
}

/**
 * The key as the server sends it: `sshKeySchema.parse` of its JSON gives `key` back. Fields
 * keep the schema's order, so the JSON reads the same with or without the defaults.
 */
export function toWireKey(key: SshKey): SshKeyWire {
  const options = toWireOptions(key.options);
  return {
    fingerprint: key.fingerprint,
    type: key.type,
    bits: key.bits,
    ...(key.comment === '' ? {} : { comment: key.comment }),
    publicKey: key.publicKey,
    ...(options === undefined ? {} : { options }),
    access: key.access,
    ...(key.expiresAt === null ? {} : { expiresAt: key.expiresAt }),
    ...(key.expired ? { expired: true } : {}),
    ...(key.name === null ? {} : { name: key.name }),
    ...(key.addedAt === null ? {} : { addedAt: key.addedAt }),
    ...(key.managed ? { managed: true } : {}),
    line: key.line,
    ...(key.flags.length === 0 ? {} : { flags: key.flags }),
    ...(key.lastUsedAt === null ? {} : { lastUsedAt: key.lastUsedAt }),
    ...(key.lastUsedFrom === null ? {} : { lastUsedFrom: key.lastUsedFrom }),
  };
}

/** Something that makes sshd ignore the file (StrictModes and friends), with its fix. */
export const fileWarningSchema = z.object({
  code: z.enum([
    'file-mode',
    'file-owner',
    'dir-mode',
    'dir-owner',
    'home-mode',
    'home-owner',
    'symlink',
    'unreadable',
    'not-a-file',
  ]),
  message: z.string(),
  /** A shell command that fixes it, to show and copy. */
  fix: z.string(),
});
export type FileWarning = z.infer<typeof fileWarningSchema>;

/** A line that looks like a key but that sshd ignores, and why (it is kept byte for byte). */
export const ignoredLineSchema = z.object({
  /** 1-based line number in authorized_keys. */
  line: z.int(),
  message: z.string(),
});
export type IgnoredLine = z.infer<typeof ignoredLineSchema>;

export const listKeysResponseSchema = z.object({
  keys: z.array(sshKeySchema),
  /** Lines that look like keys but that sshd ignores; left out of the wire when none. */
  ignoredLines: z._default(z.array(ignoredLineSchema), () => []),
  warnings: z.array(fileWarningSchema),
  /** The file these keys are in, e.g. `/home/ada/.ssh/authorized_keys`. */
  path: z.string(),
  /** True when the server reads sshd's log (--sshd-log): a key without lastUsedAt was never used since. */
  lastUseTracked: z.optional(z.boolean()),
  /** Keys in a directory (--store ldap): the most minutes before every host's SSSD sees a change. */
  directoryCacheMinutes: z.optional(z.int()),
});
export type ListKeysResponse = z.infer<typeof listKeysResponseSchema>;

/** The list as the server sends it (see `toWireKey`). */
export function toWireList(list: ListKeysResponse): z.input<typeof listKeysResponseSchema> {
  const { keys, ignoredLines, ...rest } = list;
  return {
    keys: keys.map(toWireKey),
    ...(ignoredLines.length === 0 ? {} : { ignoredLines }),
    ...rest,
  };
}

export const createKeyResponseSchema = z.object({ key: sshKeySchema });
export type CreateKeyResponse = z.infer<typeof createKeyResponseSchema>;

export const meResponseSchema = z.object({
  user: z.string(),
  mode: z.enum(['local', 'proxy', 'oidc', 'mock']),
  /**
   * The Seqera Platform APIs the page may send a credential to (`--seqera-api`, the only
   * origins its CSP connect-src allows besides its own); left out of the wire when none.
   */
  seqeraApis: z._default(z.array(z.string()), () => []),
});
export type MeResponse = z.infer<typeof meResponseSchema>;
/** /api/me as the server sends it (seqeraApis left out when empty). */
export type MeResponseWire = z.input<typeof meResponseSchema>;

export const errorCodeSchema = z.enum([
  'bad-request',
  'invalid-key',
  'private-key',
  'unauthorized',
  'forbidden',
  'not-found',
  'duplicate',
  'too-large',
  'unsupported-media-type',
  'file-error',
  'too-many-requests',
  'busy',
  'policy',
  'internal',
]);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

export const errorResponseSchema = z.object({
  error: z.object({ code: errorCodeSchema, message: z.string() }),
});
export type ErrorResponse = z.infer<typeof errorResponseSchema>;
