/**
 * OpenSSH public keys: the one-line form `type base64 comment` (sshd(8) AUTHORIZED_KEYS FILE
 * FORMAT, ssh-keygen(1)), the blob inside it (RFC 4253 §6.6, RFC 5656 §3.1, RFC 8709 §4,
 * PROTOCOL.u2f), and the SHA256 fingerprint as `ssh-keygen -l` prints it.
 *
 * Everything here is synchronous: the server parses whole authorized_keys files with it.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { KeyFormatError } from './errors.ts';
import { looksLikePrivateKey } from './private-key-detect.ts';
import {
  SshReader,
  SshWriter,
  TruncatedError,
  base64DecodeCanonical,
  base64Encode,
  hasLoneSurrogate,
  utf8DecodeStrict,
} from './wire.ts';

export type PublicKeyType =
  | 'ssh-ed25519'
  | 'ssh-rsa'
  | 'ecdsa-sha2-nistp256'
  | 'ecdsa-sha2-nistp384'
  | 'ecdsa-sha2-nistp521'
  | 'sk-ssh-ed25519@openssh.com'
  | 'sk-ecdsa-sha2-nistp256@openssh.com';

export interface PublicKey {
  type: PublicKeyType;
  /** The decoded key blob (what the base64 field holds). */
  blob: Uint8Array;
  /** Key size as `ssh-keygen -l` prints it: 256 for ed25519, the modulus bits for RSA, … */
  bits: number;
  comment: string;
}

const KEY_TYPES: readonly PublicKeyType[] = [
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
];

/** True when `type` is one of the key type names Keysmith accepts. */
export function isPublicKeyType(type: string): type is PublicKeyType {
  return (KEY_TYPES as readonly string[]).includes(type);
}

/** Key types OpenSSH knows but Keysmith refuses, with the reason given to the user. */
const REFUSED_TYPES: Readonly<Record<string, string>> = {
  'ssh-dss':
    'DSA keys ("ssh-dss") are disabled in OpenSSH and no longer accepted. Make a new key with: ssh-keygen -t ed25519',
};

/** The smallest RSA modulus accepted; NIST SP 800-131A and OpenSSH's ssh-keygen default floor. */
const RSA_MIN_BITS = 2048;
/** OpenSSH's SSHBUF_MAX_BIGNUM / OPENSSL_RSA_MAX_MODULUS_BITS. */
const RSA_MAX_BITS = 16384;

/**
 * SEC 2 §2.4 / FIPS 186-4 D.1.2: field prime p, coefficient b of y² = x³ − 3x + b, order n of
 * the base point (every point of these curves has order n).
 */
const CURVES = {
  nistp256: {
    bytes: 32,
    bits: 256,
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  },
  nistp384: {
    bytes: 48,
    bits: 384,
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  },
  nistp521: {
    bytes: 66,
    bits: 521,
    p: (1n << 521n) - 1n,
    b: 0x0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00n,
    n: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
  },
} as const;
type CurveName = keyof typeof CURVES;

function invalid(message: string): KeyFormatError {
  return new KeyFormatError('invalid-key', message);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function bigintFromBytes(bytes: Uint8Array): bigint {
  // One BigInt parse is far cheaper than a shift per byte (10,000-line files, 4096-bit RSA).
  let hex = '0x0';
  for (const b of bytes) hex += HEX[b] ?? '00';
  return BigInt(hex);
}

/** Bit length of a big-endian unsigned integer (OpenSSL BN_num_bits). */
function bitLength(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  const first = bytes[i];
  if (first === undefined) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(first));
}

/**
 * Reads an RFC 4251 §5 mpint that must be positive and minimally encoded ("unnecessary
 * leading bytes with the value 0 or 255 MUST NOT be included").
 */
function readPositiveMpint(reader: SshReader, what: string): Uint8Array {
  const bytes = reader.string(what);
  const first = bytes[0];
  const second = bytes[1];
  if (first === undefined) throw invalid(`The RSA ${what} is zero: the key data is damaged.`);
  if (first & 0x80) throw invalid(`The RSA ${what} is negative: the key data is damaged.`);
  if (first === 0 && (second === undefined || (second & 0x80) === 0)) {
    throw invalid(
      `The RSA ${what} has a needless leading zero byte (RFC 4251 §5): the key data was not written by OpenSSH. Copy the key again from the .pub file.`,
    );
  }
  return bytes;
}

function readCurvePoint(reader: SshReader, curveName: CurveName, label: string): void {
  const curve = CURVES[curveName];
  const point = reader.string('public point');
  if (point.length !== 1 + 2 * curve.bytes || point[0] !== 0x04) {
    throw invalid(
      `The ${label} public point must be ${1 + 2 * curve.bytes} bytes starting with 0x04 (an uncompressed ${curveName} point, RFC 5656 §3.1), but it is ${point.length} bytes. Copy the key again from the .pub file.`,
    );
  }
  const x = bigintFromBytes(point.subarray(1, 1 + curve.bytes));
  const y = bigintFromBytes(point.subarray(1 + curve.bytes));
  const { p, b, n } = curve;
  // sshkey.c sshkey_ec_validate_public: on the curve (EC_POINT_oct2point), both coordinates
  // longer than half the order's bits and below n − 1 (so below p too: n < p on these curves).
  const half = BigInt(curve.bits >> 1);
  const valid =
    x >> half !== 0n &&
    y >> half !== 0n &&
    x < n - 1n &&
    y < n - 1n &&
    (y * y - (x * x * x - 3n * x + b)) % p === 0n;
  if (!valid) {
    throw invalid(
      `The ${label} public point is not on the ${curveName} curve, or is a point sshd refuses there: the key data is damaged. Copy the key again from the .pub file.`,
    );
  }
}

function readApplication(reader: SshReader): void {
  // PROTOCOL.u2f: security keys carry the FIDO application string, "ssh:" by default.
  const application = reader.text('application');
  if (application === null || application.length === 0) {
    throw invalid(
      'The security key\'s application string is empty or not UTF-8 (PROTOCOL.u2f expects e.g. "ssh:"). Copy the key again from the .pub file.',
    );
  }
}

/**
 * Checks a decoded public key blob and returns its type and size. `expectedType` is the type
 * written before the base64: OpenSSH refuses a line whose blob holds another type.
 * `minRsaBits` (default 2048) lets `keysmith fingerprint` show old keys as ssh-keygen does (1024).
 * @throws KeyFormatError naming what is wrong with the blob.
 */
export function parsePublicKeyBlob(
  blob: Uint8Array,
  expectedType?: PublicKeyType,
  options: { minRsaBits?: number } = {},
): { type: PublicKeyType; bits: number } {
  const minRsaBits = options.minRsaBits ?? RSA_MIN_BITS;
  if (!(blob instanceof Uint8Array)) throw new TypeError('"blob" must be a Uint8Array');
  const reader = new SshReader(blob);
  const label = expectedType ?? 'key';
  try {
    const innerBytes = reader.string('key type');
    const inner = utf8DecodeStrict(innerBytes) ?? '';
    if (!isPublicKeyType(inner)) {
      throw invalid(
        expectedType === undefined
          ? `The key data holds an unsupported key type ("${printable(inner)}").`
          : `The line says "${expectedType}" but the key data holds "${printable(inner)}": the line was edited or pieced together from two keys. Copy it again from the .pub file.`,
      );
    }
    if (expectedType !== undefined && inner !== expectedType) {
      throw invalid(
        `The line says "${expectedType}" but the key data holds a "${inner}" key: the line was edited or pieced together from two keys. Copy it again from the .pub file.`,
      );
    }
    const type = inner;
    let bits: number;
    switch (type) {
      case 'ssh-ed25519':
      case 'sk-ssh-ed25519@openssh.com': {
        // RFC 8709 §4: string "ssh-ed25519", string key (32 bytes).
        const key = reader.string('public key');
        if (key.length !== 32) {
          throw invalid(
            `The ${type} public key must be 32 bytes but it is ${key.length}. Copy the key again from the .pub file.`,
          );
        }
        if (type === 'sk-ssh-ed25519@openssh.com') readApplication(reader);
        bits = 256;
        break;
      }
      case 'ssh-rsa': {
        // RFC 4253 §6.6: string "ssh-rsa", mpint e, mpint n.
        const e = readPositiveMpint(reader, 'exponent');
        const n = readPositiveMpint(reader, 'modulus');
        bits = bitLength(n);
        if (bits < minRsaBits) {
          throw invalid(
            `This RSA key has ${bits} bits; at least ${minRsaBits} are required. Make a new key with: ssh-keygen -t ed25519`,
          );
        }
        if (bits > RSA_MAX_BITS) {
          throw invalid(`This RSA key has ${bits} bits; OpenSSH accepts at most ${RSA_MAX_BITS}.`);
        }
        const eValue = bigintFromBytes(e);
        if (eValue < 3n || eValue % 2n === 0n || eValue >= bigintFromBytes(n)) {
          throw invalid(
            'The RSA public exponent is not valid (it must be odd, at least 3 and below the modulus).',
          );
        }
        break;
      }
      case 'ecdsa-sha2-nistp256':
      case 'ecdsa-sha2-nistp384':
      case 'ecdsa-sha2-nistp521':
      case 'sk-ecdsa-sha2-nistp256@openssh.com': {
        // RFC 5656 §3.1: string type, string curve identifier, string Q.
        const expectedCurve: CurveName =
          type === 'ecdsa-sha2-nistp384'
            ? 'nistp384'
            : type === 'ecdsa-sha2-nistp521'
              ? 'nistp521'
              : 'nistp256';
        const curve = utf8DecodeStrict(reader.string('curve name')) ?? '';
        if (curve !== expectedCurve) {
          throw invalid(
            `The key type "${type}" needs curve "${expectedCurve}" but the key data names "${printable(curve)}": the line was edited. Copy it again from the .pub file.`,
          );
        }
        readCurvePoint(reader, expectedCurve, type);
        if (type === 'sk-ecdsa-sha2-nistp256@openssh.com') readApplication(reader);
        bits = CURVES[expectedCurve].bits;
        break;
      }
      default:
        throw new TypeError(`unknown key type ${String(type satisfies never)}`);
    }
    if (reader.remaining !== 0) {
      throw invalid(
        `The ${type} key data has ${reader.remaining} unexpected byte${reader.remaining === 1 ? '' : 's'} after the key: copy the line again from the .pub file.`,
      );
    }
    return { type, bits };
  } catch (error) {
    if (error instanceof TruncatedError) {
      throw invalid(
        `The ${label} key data is cut short (it ${error.message}): copy the whole line again from the .pub file.`,
      );
    }
    throw error;
  }
}

/** Shows a short, safe rendering of untrusted text inside an error message. */
function printable(text: string): string {
  const cleaned = text.replace(/[\p{Cc}]/gu, '?');
  return cleaned.length > 40 ? `${cleaned.slice(0, 40)}…` : cleaned;
}

/** Finds the first control character (C0, DEL, C1) or lone surrogate; null when there is none. */
export function findControlCharacter(text: string): string | null {
  const match = /\p{Cc}/u.exec(text);
  if (match) {
    const code = match[0].charCodeAt(0);
    return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  if (hasLoneSurrogate(text)) return 'an unpaired UTF-16 surrogate';
  return null;
}

/**
 * Finds the first Unicode bidirectional control (UAX #9: embeddings, overrides, isolates and
 * marks), which can make a comment display as other text; null when there is none.
 */
export function findBidiControl(text: string): string | null {
  const match = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u.exec(text);
  return match === null
    ? null
    : `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Reads `type base64 [comment]` the way OpenSSH's sshkey_read does: fields separated by runs of
 * spaces or tabs, the comment is the rest of the line. Trailing spaces and tabs of the comment
 * are dropped. Does not look at the comment's characters.
 */
export function parseKeyFields(text: string): PublicKey {
  const match = /^([^ \t]*)[ \t]*([^ \t]*)[ \t]*(.*?)[ \t]*$/su.exec(text);
  const typeText = match?.[1] ?? '';
  const base64 = match?.[2] ?? '';
  const comment = match?.[3] ?? '';
  if (!isPublicKeyType(typeText)) {
    const refused = REFUSED_TYPES[typeText];
    if (refused !== undefined) throw new KeyFormatError('unsupported', refused);
    if (/^[a-z0-9-]+-cert-v01@openssh\.com$/.test(typeText)) {
      throw new KeyFormatError(
        'unsupported',
        `"${typeText}" is an OpenSSH certificate, not a plain public key. Paste the public key itself (the .pub file without -cert).`,
      );
    }
    throw invalid(
      `The line does not start with a supported key type ("${printable(typeText)}"). A public key line starts with ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256/384/521 or sk-ssh-ed25519@openssh.com / sk-ecdsa-sha2-nistp256@openssh.com.`,
    );
  }
  if (base64 === '') {
    throw invalid(
      `The line has the key type "${typeText}" but no key data after it: copy the whole line from the .pub file.`,
    );
  }
  const blob = base64DecodeCanonical(base64);
  if (blob === null) {
    throw invalid(
      /^[A-Za-z0-9+/]*={0,2}$/.test(base64) && base64.length % 4 === 0
        ? 'The key data is not canonical base64 (its final characters were altered, so the same key would have two spellings). Copy the line again from the .pub file.'
        : 'The key data is not valid base64 (it is cut short or contains characters outside A–Z, a–z, 0–9, +, / and = padding). Copy the whole line again from the .pub file.',
    );
  }
  const { type, bits } = parsePublicKeyBlob(blob, typeText);
  return { type, blob, bits, comment };
}

/**
 * Parses one OpenSSH public key line, `type base64 [comment]`, as found in a .pub file. One
 * trailing LF or CRLF is tolerated; options, a second line or control characters in the
 * comment are not.
 * @throws KeyFormatError naming the problem; code `private-key` when a private key was pasted.
 */
export function parsePublicKey(text: string): PublicKey {
  if (typeof text !== 'string') throw new TypeError('"text" must be a string');
  if (looksLikePrivateKey(text)) {
    throw new KeyFormatError(
      'private-key',
      'This is a private key, which must never be shared. Paste the public key instead: the contents of the matching .pub file (or the output of: ssh-keygen -y -f KEYFILE).',
    );
  }
  if (/^---- BEGIN SSH2 PUBLIC KEY ----|^-----BEGIN (RSA )?PUBLIC KEY-----/m.test(text)) {
    throw new KeyFormatError(
      'unsupported',
      'This public key is in RFC 4716 or PEM form. Convert it to the OpenSSH one-line form first: ssh-keygen -i -f KEYFILE (add -m PKCS8 for a PEM key).',
    );
  }
  const line = text.replace(/\r?\n$/, '');
  if (/[\r\n]/.test(line)) {
    throw invalid(
      'The text has more than one line: paste exactly one public key line (`type base64 comment`).',
    );
  }
  if (line.trim() === '') {
    throw invalid(
      'The public key is empty: paste the contents of your .pub file, one line starting with e.g. ssh-ed25519.',
    );
  }
  const tokens = line.split(/[ \t]+/);
  const firstToken = tokens[0] ?? '';
  const typeAt = tokens.findIndex((t) => isPublicKeyType(t));
  if (!isPublicKeyType(firstToken) && typeAt > 0) {
    throw invalid(
      `The line has "${printable(tokens.slice(0, typeAt).join(' '))}" before the key type: options and host names are not allowed here. Paste only the key line, starting with ${tokens[typeAt] ?? 'the key type'}.`,
    );
  }
  const key = parseKeyFields(line.replace(/^[ \t]+/, ''));
  const bad = findControlCharacter(key.comment);
  if (bad !== null) {
    throw invalid(
      `The comment contains a control character (${bad}): a comment must be printable text on one line. Remove it and try again.`,
    );
  }
  const bidi = findBidiControl(key.comment);
  if (bidi !== null) {
    throw invalid(
      `The comment contains a Unicode bidirectional control (${bidi}), which can make it display as different text. Remove it and try again.`,
    );
  }
  return key;
}

/**
 * Formats `type base64 comment` without a newline. Like ssh-keygen, a space is written even
 * before an empty comment.
 * @throws RangeError when the comment contains a control character (it could start a new
 * authorized_keys line, sshd(8)).
 */
export function formatPublicKey(key: { type: string; blob: Uint8Array; comment: string }): string {
  if (typeof key.type !== 'string') throw new TypeError('"type" must be a string');
  if (!(key.blob instanceof Uint8Array)) throw new TypeError('"blob" must be a Uint8Array');
  if (typeof key.comment !== 'string') throw new TypeError('"comment" must be a string');
  if (!/^[A-Za-z0-9@.-]+$/.test(key.type)) {
    throw new RangeError(
      `"type" must be a key type name such as ssh-ed25519, not "${printable(key.type)}"`,
    );
  }
  const bad = findControlCharacter(key.comment);
  if (bad !== null)
    throw new RangeError(`"comment" must not contain control characters (found ${bad})`);
  return `${key.type} ${base64Encode(key.blob)} ${key.comment}`;
}

/** `SHA256:` + unpadded base64 of SHA-256(blob), 50 characters, as `ssh-keygen -l` prints it. */
export function fingerprintSha256(blob: Uint8Array): string {
  if (!(blob instanceof Uint8Array)) throw new TypeError('"blob" must be a Uint8Array');
  return `SHA256:${base64Encode(sha256(blob)).replace(/=+$/, '')}`;
}

/** What makes a line sshd reads differ from what Keysmith (and ssh-keygen) would write. */
export type KeyQuirk =
  | 'rsa-small'
  | 'rsa-exponent'
  | 'type-alias'
  | 'key-encoding'
  | 'nul'
  | 'option-spelling'
  | 'cert-authority'
  | 'principals';

/** A key as sshd reads it: canonical type and blob (what sshd compares and fingerprints). */
export interface SshdKey extends PublicKey {
  /** How the text differs from ssh-keygen's spelling of this key; empty when it does not. */
  quirks: KeyQuirk[];
}

/** sshkey.c keyimpls: every name sshkey_read accepts before the base64, as Keysmith's type. */
const SSHD_TYPE_NAMES: Readonly<Record<string, PublicKeyType>> = {
  'ssh-ed25519': 'ssh-ed25519',
  'sk-ssh-ed25519@openssh.com': 'sk-ssh-ed25519@openssh.com',
  'ecdsa-sha2-nistp256': 'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384': 'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521': 'ecdsa-sha2-nistp521',
  'sk-ecdsa-sha2-nistp256@openssh.com': 'sk-ecdsa-sha2-nistp256@openssh.com',
  'webauthn-sk-ecdsa-sha2-nistp256@openssh.com': 'sk-ecdsa-sha2-nistp256@openssh.com',
  'ssh-rsa': 'ssh-rsa',
  'rsa-sha2-256': 'ssh-rsa',
  'rsa-sha2-512': 'ssh-rsa',
};

/** True for a word sshd (or an older OpenSSH) reads as a key type, also those Keysmith refuses. */
export function looksLikeKeyTypeName(word: string): boolean {
  return (
    Object.hasOwn(SSHD_TYPE_NAMES, word) ||
    word === 'ssh-dss' ||
    /^[a-z0-9-]+-cert-v01@openssh\.com$/.test(word)
  );
}

/** sshkey_type_from_name: the exact name, or the short name of a plain type in any case. */
function sshdBlobType(name: string): PublicKeyType | null {
  const exact = SSHD_TYPE_NAMES[name];
  if (exact !== undefined) return exact;
  switch (name.toUpperCase()) {
    case 'ED25519':
      return 'ssh-ed25519';
    case 'ED25519-SK':
      return 'sk-ssh-ed25519@openssh.com';
    case 'RSA':
      return 'ssh-rsa';
    default:
      // "ECDSA" and "ECDSA-SK" name a type but no curve: ssh_ecdsa_deserialize_public fails.
      return null;
  }
}

/** C isspace in the C locale, as b64_pton skips it. */
const C_SPACE = /[ \t\n\v\f\r]/;

/**
 * b64_pton (openbsd-compat/base64.c) as sshkey_read calls it: whitespace anywhere is skipped,
 * padding is optional only when none is needed, and bits after the last byte must be zero.
 */
export function base64DecodeSshd(text: string): Uint8Array | null {
  // ssh-keygen's own spelling decodes the same; most lines take this quick way.
  const canonical = base64DecodeCanonical(text);
  if (canonical !== null) return canonical;
  const values: number[] = [];
  let i = 0;
  for (; i < text.length; i++) {
    const c = text.charAt(i);
    if (C_SPACE.test(c)) continue;
    if (c === '=') break;
    const v = B64_ALPHABET.indexOf(c);
    if (v < 0) return null;
    values.push(v);
  }
  const state = values.length % 4;
  if (i < text.length) {
    // A pad character: valid only after 2 or 3 characters of a group.
    if (state < 2) return null;
    i++;
    if (state === 2) {
      while (i < text.length && C_SPACE.test(text.charAt(i))) i++;
      if (text.charAt(i) !== '=') return null;
      i++;
    }
    for (; i < text.length; i++) if (!C_SPACE.test(text.charAt(i))) return null;
    const last = values.at(-1) ?? 0;
    if ((state === 2 && (last & 0x0f) !== 0) || (state === 3 && (last & 0x03) !== 0)) return null;
  } else if (state !== 0) {
    return null;
  }
  const out = new Uint8Array(Math.floor((values.length * 6) / 8));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (const v of values) {
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (o < out.length) out[o++] = (acc >>> bits) & 0xff;
    }
  }
  return out;
}
const B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Bytes as text for names compared with strcmp; long ones are never a name. */
function byteText(bytes: Uint8Array): string {
  return bytes.length > 64 ? '?' : Array.from(bytes, (b) => String.fromCharCode(b)).join('');
}

/** sshbuf_get_cstring: a string that may end in one NUL, but holds none before that. */
function readCString(reader: SshReader, what: string): Uint8Array {
  const bytes = reader.string(what);
  const nul = bytes.indexOf(0);
  if (nul >= 0 && nul < bytes.length - 1) throw invalid(`The key's ${what} contains a NUL byte.`);
  return nul === bytes.length - 1 ? bytes.subarray(0, nul) : bytes;
}

/** sshbuf_get_bignum2_bytes_direct: not negative, at most 2048 bytes after a zero, zeros trimmed. */
function readSshdMpint(reader: SshReader, what: string): { value: Uint8Array; padded: boolean } {
  const bytes = reader.string(what);
  if (bytes.length > 0 && ((bytes[0] ?? 0) & 0x80) !== 0) {
    throw invalid(`The RSA ${what} is negative: the key data is damaged.`);
  }
  if (
    bytes.length > RSA_MAX_BITS / 8 + 1 ||
    (bytes.length === RSA_MAX_BITS / 8 + 1 && bytes[0] !== 0)
  ) {
    throw invalid(`The RSA ${what} is longer than OpenSSH accepts (${RSA_MAX_BITS} bits).`);
  }
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  const value = bytes.subarray(start);
  // The minimal form keeps one zero byte before a value whose top bit is set (RFC 4251 §5).
  const minimalLength = value.length + (((value[0] ?? 0) & 0x80) !== 0 ? 1 : 0);
  return { value, padded: bytes.length !== minimalLength };
}

function mpintBytes(value: Uint8Array): Uint8Array {
  if (((value[0] ?? 0) & 0x80) === 0) return value;
  const out = new Uint8Array(value.length + 1);
  out.set(value, 1);
  return out;
}

/**
 * Reads a key blob as sshkey_from_blob does (sshkey.c, ssh-rsa.c, ssh-ecdsa.c, ssh-ed25519.c)
 * and writes it again the way OpenSSH serialises the key, the form sshd compares and hashes.
 */
function readSshdBlob(raw: Uint8Array): {
  type: PublicKeyType;
  blob: Uint8Array;
  bits: number;
  quirks: KeyQuirk[];
} {
  const reader = new SshReader(raw);
  const quirks: KeyQuirk[] = [];
  try {
    const innerName = byteText(readCString(reader, 'key type'));
    const type = sshdBlobType(innerName);
    if (type === null) {
      throw invalid(
        `The key data holds a key type sshd does not read ("${printable(innerName)}").`,
      );
    }
    const out = new SshWriter().string(type);
    let bits: number;
    switch (type) {
      case 'ssh-ed25519':
      case 'sk-ssh-ed25519@openssh.com': {
        const key = reader.string('public key');
        if (key.length !== 32) {
          throw invalid(`The ${type} public key must be 32 bytes but it is ${key.length}.`);
        }
        out.string(key);
        if (type === 'sk-ssh-ed25519@openssh.com') out.string(readCString(reader, 'application'));
        bits = 256;
        break;
      }
      case 'ssh-rsa': {
        const e = readSshdMpint(reader, 'exponent');
        const n = readSshdMpint(reader, 'modulus');
        bits = bitLength(n.value);
        // ssh-rsa.c sshkey_check_rsa_length: SSH_RSA_MINIMUM_MODULUS_SIZE is 1024 in 9.2.
        if (bits < 1024) {
          throw invalid(`This RSA key has ${bits} bits; sshd refuses keys under 1024 bits.`);
        }
        if (bits < RSA_MIN_BITS) quirks.push('rsa-small');
        const eValue = bigintFromBytes(e.value);
        if (eValue < 3n || eValue % 2n === 0n || eValue >= bigintFromBytes(n.value)) {
          quirks.push('rsa-exponent');
        }
        if (e.padded || n.padded) quirks.push('key-encoding');
        out.string(mpintBytes(e.value)).string(mpintBytes(n.value));
        break;
      }
      case 'ecdsa-sha2-nistp256':
      case 'ecdsa-sha2-nistp384':
      case 'ecdsa-sha2-nistp521':
      case 'sk-ecdsa-sha2-nistp256@openssh.com': {
        // ssh_ecdsa_deserialize_public: the curve comes from the exact type name inside.
        const curveName: CurveName =
          type === 'ecdsa-sha2-nistp384'
            ? 'nistp384'
            : type === 'ecdsa-sha2-nistp521'
              ? 'nistp521'
              : 'nistp256';
        const curve = byteText(readCString(reader, 'curve name'));
        if (curve !== curveName) {
          throw invalid(
            `The key type "${type}" needs curve "${curveName}" but the key data names "${printable(curve)}".`,
          );
        }
        const pointStart = raw.length - reader.remaining;
        readCurvePoint(reader, curveName, type);
        const point = raw.subarray(pointStart + 4, raw.length - reader.remaining);
        out.string(curveName).string(point);
        if (type === 'sk-ecdsa-sha2-nistp256@openssh.com') {
          out.string(readCString(reader, 'application'));
        }
        bits = CURVES[curveName].bits;
        break;
      }
      default:
        throw new TypeError(`unknown key type ${String(type satisfies never)}`);
    }
    if (reader.remaining !== 0) {
      throw invalid(`The ${type} key data has ${reader.remaining} unexpected bytes after the key.`);
    }
    const blob = out.bytes();
    if (!quirks.includes('key-encoding') && !sameBytes(blob, raw)) quirks.push('key-encoding');
    return { type, blob, bits, quirks };
  } catch (error) {
    if (error instanceof TruncatedError) {
      throw invalid(`The key data is cut short (it ${error.message}).`);
    }
    throw error;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/**
 * Reads `type base64 [comment]` exactly as sshd 9.2's sshkey_read does (sshkey.c): the type is
 * any name of OpenSSH's key table (`rsa-sha2-256` reads as ssh-rsa), the base64 ends at a space
 * or tab and may hold CR, LF, VT or FF, and the blob is read as sshkey_from_blob reads it
 * (leading zero bytes in RSA numbers, a type alias inside, RSA from 1024 bits). The key
 * returned is in OpenSSH's canonical form, what sshd compares and fingerprints; `quirks` says
 * where the text differs from it. Give it a line without its newline and cut at any NUL.
 * @throws KeyFormatError when sshd would not read a key here.
 */
export function readSshdKey(text: string): SshdKey {
  // sshkey_read: the type name ends at a space or tab, and something must follow it.
  const typeEnd = text.search(/[ \t]/);
  const typeWord = typeEnd < 0 ? text : text.slice(0, typeEnd);
  const type = SSHD_TYPE_NAMES[typeWord];
  if (type === undefined) {
    const refusedType = REFUSED_TYPES[typeWord];
    if (refusedType !== undefined) throw new KeyFormatError('unsupported', refusedType);
    if (/-cert-v01@openssh\.com$/.test(typeWord)) {
      throw new KeyFormatError(
        'unsupported',
        `"${printable(typeWord)}" is an OpenSSH certificate: it is not a key that logs in by itself.`,
      );
    }
    throw invalid(`The line does not start with a key type sshd knows ("${printable(typeWord)}").`);
  }
  const rest = typeEnd < 0 ? '' : text.slice(typeEnd).replace(/^[ \t]+/, '');
  if (rest === '') {
    throw invalid(`The line has the key type "${typeWord}" but no key data after it.`);
  }
  const blobEnd = rest.search(/[ \t]/);
  const base64 = blobEnd < 0 ? rest : rest.slice(0, blobEnd);
  const comment = blobEnd < 0 ? '' : rest.slice(blobEnd).replace(/^[ \t]+|[ \t]+$/g, '');
  const raw = base64DecodeSshd(base64);
  if (raw === null) {
    throw invalid(
      'The key data is not valid base64 (it is cut short, padded wrongly or contains characters outside A–Z, a–z, 0–9, + and /).',
    );
  }
  const read = readSshdBlob(raw);
  // sshkey_read: the blob's type must be the line's; for ECDSA also the curve.
  if (read.type !== type) {
    throw invalid(
      `The line says "${typeWord}" but the key data holds a "${read.type}" key: the line was edited or pieced together from two keys.`,
    );
  }
  const quirks = read.quirks;
  if (typeWord !== type) quirks.push('type-alias');
  if (!quirks.includes('key-encoding') && base64 !== base64Encode(raw)) quirks.push('key-encoding');
  return { type, blob: read.blob, bits: read.bits, comment, quirks };
}

/** The type name ssh-keygen prints in brackets after a fingerprint (sshkey_type()). */
export function keyTypeLabel(type: PublicKeyType): string {
  switch (type) {
    case 'ssh-ed25519':
      return 'ED25519';
    case 'ssh-rsa':
      return 'RSA';
    case 'ecdsa-sha2-nistp256':
    case 'ecdsa-sha2-nistp384':
    case 'ecdsa-sha2-nistp521':
      return 'ECDSA';
    case 'sk-ssh-ed25519@openssh.com':
      return 'ED25519-SK';
    case 'sk-ecdsa-sha2-nistp256@openssh.com':
      return 'ECDSA-SK';
    default:
      throw new TypeError(`unknown key type ${String(type satisfies never)}`);
  }
}

/** The public key blob `string "ssh-ed25519", string pk` (RFC 8709 §4), 51 bytes. */
export function ed25519PublicBlob(publicKey: Uint8Array): Uint8Array {
  if (!(publicKey instanceof Uint8Array)) throw new TypeError('"publicKey" must be a Uint8Array');
  if (publicKey.length !== 32) {
    throw new RangeError(`"publicKey" must be 32 bytes, got ${publicKey.length}`);
  }
  return new SshWriter().string('ssh-ed25519').string(publicKey).bytes();
}
