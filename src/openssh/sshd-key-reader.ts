/**
 * A public key read as sshd 9.2 reads it (sshkey.c sshkey_read, sshkey_from_blob): more lenient
 * than ssh-keygen writes, so the list shows every key sshd would let in, with how its text
 * differs from ssh-keygen's.
 */
import { bytesEqual } from '../crypto/bytes.ts';
import { KeyFormatError, invalidKey as invalid, printable } from './errors.ts';
import { REFUSED_TYPES, SSHD_TYPE_NAMES, type PublicKey, type PublicKeyType } from './key-types.ts';
import {
  CURVES,
  RSA_MAX_BITS,
  RSA_MIN_BITS,
  bitLength,
  curveNameOf,
  isValidRsaExponent,
  readCurvePoint,
} from './public-key-blob.ts';
import {
  SshReader,
  SshWriter,
  TruncatedError,
  base64DecodeCanonical,
  base64Encode,
} from './wire.ts';

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
function readSshdMpint(reader: SshReader, what: string): Uint8Array {
  const bytes = reader.string(what);
  if (((bytes[0] ?? 0) & 0x80) !== 0) {
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
  return bytes.subarray(start);
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
        bits = bitLength(n);
        // ssh-rsa.c sshkey_check_rsa_length: SSH_RSA_MINIMUM_MODULUS_SIZE is 1024 in 9.2.
        if (bits < 1024) {
          throw invalid(`This RSA key has ${bits} bits; sshd refuses keys under 1024 bits.`);
        }
        if (bits < RSA_MIN_BITS) quirks.push('rsa-small');
        if (!isValidRsaExponent(e, n)) quirks.push('rsa-exponent');
        out.string(mpintBytes(e)).string(mpintBytes(n));
        break;
      }
      case 'ecdsa-sha2-nistp256':
      case 'ecdsa-sha2-nistp384':
      case 'ecdsa-sha2-nistp521':
      case 'sk-ecdsa-sha2-nistp256@openssh.com': {
        // ssh_ecdsa_deserialize_public: the curve comes from the exact type name inside.
        const curveName = curveNameOf(type);
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
    if (!bytesEqual(blob, raw)) quirks.push('key-encoding');
    return { type, blob, bits, quirks };
  } catch (error) {
    if (error instanceof TruncatedError) {
      throw invalid(`The key data is cut short (it ${error.message}).`);
    }
    throw error;
  }
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
