/**
 * The HTTP contract between the browser app and the server: paths, zod schemas and the types
 * inferred from them. Both sides import this file, so they cannot disagree on a field.
 *
 * Written with `zod/mini`, zod's own tree-shakable build (same parser, functional API): the
 * browser app parses every response with these schemas, and classic zod's method-laden schemas
 * cost its first load about 20 KB gzipped (issue 6, figure 3a). The schemas still have `parse`
 * and `safeParse`, so the server uses them as before.
 */
// The English messages alone: 'zod/locales' would load all of zod's 60-odd languages.
import en from 'zod/v4/locales/en.js';
import * as z from 'zod/mini';

// zod/mini loads no messages by itself ("Invalid input" for everything); the server turns the
// issues of a refused request into its 400 message, so they must say what was wrong.
z.config(en());

export const apiPaths = {
  me: '/api/me',
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
export const fromPatternSchema = z
  .string()
  .check(
    z.regex(
      FROM_PATTERN,
      'An address pattern is a host name, an address, a CIDR range such as 10.0.0.0/8, with optional * or ? wildcards and a leading ! to exclude.',
    ),
  );

/** What the key may do once logged in; maps to options the server composes itself. */
export const accessSchema = z.enum(['restricted', 'interactive', 'full']);
export type Access = z.infer<typeof accessSchema>;

export const createKeyRequestSchema = z.strictObject({
  /** One OpenSSH public key line: `type base64 [comment]`, no options, no second line. */
  publicKey: z.string().check(z.minLength(1), z.maxLength(16_384)),
  name: z.optional(keyNameSchema),
  /** ISO 8601 date-time in the future; becomes sshd's own `expiry-time="…"`. */
  expiresAt: z.optional(z.iso.datetime({ offset: true })),
  from: z.optional(z.array(fromPatternSchema).check(z.minLength(1), z.maxLength(32))),
  access: z._default(accessSchema, 'restricted'),
});
export type CreateKeyRequest = z.input<typeof createKeyRequestSchema>;

/*
 * A key's fields that hold their default (null, false, an empty list, an empty comment, no
 * options at all) are left out of the JSON and filled back in by these schemas: a 10,000-line
 * file lists about a quarter fewer bytes (issue 6, figure 4a). `toWireKey` leaves them out.
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
});
export type KeyOptions = z.infer<typeof keyOptionsSchema>;

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
  access: z.enum(['restricted', 'interactive', 'full', 'custom']),
  /** ISO 8601 (UTC) from `expiry-time`, or null when the key does not expire. */
  expiresAt: z._default(z.nullable(z.string()), null),
  expired: z._default(z.boolean(), false),
  /** Name and date added: only for keys Keysmith added (kept in a `#` line above the key). */
  name: z._default(z.nullable(z.string()), null),
  addedAt: z._default(z.nullable(z.string()), null),
  managed: z._default(z.boolean(), false),
  /** 1-based line number in authorized_keys, for people looking at the file. */
  line: z.int(),
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

export const listKeysResponseSchema = z.object({
  keys: z.array(sshKeySchema),
  warnings: z.array(fileWarningSchema),
  /** The file these keys are in, e.g. `/home/ada/.ssh/authorized_keys`. */
  path: z.string(),
});
export type ListKeysResponse = z.infer<typeof listKeysResponseSchema>;

/** The list as the server sends it (see `toWireKey`). */
export function toWireList(list: ListKeysResponse): z.input<typeof listKeysResponseSchema> {
  return { ...list, keys: list.keys.map(toWireKey) };
}

export const createKeyResponseSchema = z.object({ key: sshKeySchema });
export type CreateKeyResponse = z.infer<typeof createKeyResponseSchema>;

export const meResponseSchema = z.object({
  user: z.string(),
  mode: z.enum(['local', 'proxy', 'mock']),
});
export type MeResponse = z.infer<typeof meResponseSchema>;

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
  'internal',
]);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

export const errorResponseSchema = z.object({
  error: z.object({ code: errorCodeSchema, message: z.string() }),
});
export type ErrorResponse = z.infer<typeof errorResponseSchema>;
