/**
 * OpenSSH private key files, "openssh-key-v1" (OpenSSH PROTOCOL.key), for ed25519 keys:
 * unencrypted, or encrypted with aes256-ctr under a bcrypt_pbkdf key, exactly as ssh-keygen
 * writes them (armour with 70-column base64, LF, final newline).
 */
import { KeyFormatError, invalidKey as invalid } from './errors.ts';
import { bytesEqual } from '../crypto/bytes.ts';
import type { Kdf } from '../crypto/kdf.ts';
import { ed25519PublicKeyFromSeed } from '../crypto/keygen.ts';
import {
  aes256Ctr,
  defaultKdf,
  deriveKeyIv,
  passphraseBytes,
  DEFAULT_ROUNDS,
  SALT_LENGTH,
} from './private-key-cipher.ts';
import { ed25519PublicBlob, parsePublicKeyBlob } from './public-key-blob.ts';
import { findControlCharacter } from './public-key-line.ts';
import {
  SshReader,
  SshWriter,
  TruncatedError,
  base64DecodeCanonical,
  base64Encode,
  utf8DecodeStrict,
  utf8Encode,
} from './wire.ts';

export interface DecodedPrivateKey {
  type: 'ssh-ed25519';
  seed: Uint8Array;
  publicKey: Uint8Array;
  comment: string;
  encrypted: boolean;
  /** bcrypt rounds, or null when not encrypted. */
  rounds: number | null;
  /** bcrypt salt, or null when not encrypted. */
  salt: Uint8Array | null;
  /** The random check value repeated at the start of the private section. */
  checkint: number;
}

const BEGIN = '-----BEGIN OPENSSH PRIVATE KEY-----';
const END = '-----END OPENSSH PRIVATE KEY-----';
const MAGIC = utf8Encode('openssh-key-v1\0');

/**
 * Encodes an ed25519 key pair as an OpenSSH private key file: the full text, LF line endings,
 * base64 at 70 columns, final newline. With a non-empty passphrase it is encrypted (bcrypt
 * KDF, `rounds` default 24, aes256-ctr); `salt` and `checkint` default to fresh random values
 * (given only to reproduce a file byte for byte).
 * @throws TypeError/RangeError for malformed inputs, including a seed that does not give the
 * public key.
 */
export async function encodePrivateKey(
  pair: { seed: Uint8Array; publicKey: Uint8Array },
  options: {
    comment: string;
    passphrase?: string;
    rounds?: number;
    kdf?: Kdf;
    salt?: Uint8Array;
    checkint?: number;
  },
): Promise<string> {
  const { seed, publicKey } = pair;
  if (!(seed instanceof Uint8Array)) throw new TypeError('"seed" must be a Uint8Array');
  if (seed.length !== 32) throw new RangeError(`"seed" must be 32 bytes, got ${seed.length}`);
  const publicBlob = ed25519PublicBlob(publicKey);
  const { comment } = options;
  if (typeof comment !== 'string') throw new TypeError('"comment" must be a string');
  const bad = findControlCharacter(comment);
  if (bad !== null)
    throw new RangeError(`"comment" must not contain control characters (found ${bad})`);

  const pass = passphraseBytes(options.passphrase ?? '');
  const encrypted = pass.length > 0;
  const rounds = options.rounds ?? DEFAULT_ROUNDS;
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 0xffffffff) {
    throw new RangeError('"rounds" must be an integer from 1 to 4294967295');
  }
  const salt = options.salt ?? crypto.getRandomValues(new Uint8Array(SALT_LENGTH));
  if (!(salt instanceof Uint8Array)) throw new TypeError('"salt" must be a Uint8Array');
  if (salt.length !== SALT_LENGTH) {
    throw new RangeError(`"salt" must be ${SALT_LENGTH} bytes, got ${salt.length}`);
  }
  const checkint = options.checkint ?? crypto.getRandomValues(new Uint32Array(1))[0] ?? 0;
  if (!Number.isInteger(checkint) || checkint < 0 || checkint > 0xffffffff) {
    throw new RangeError('"checkint" must be an unsigned 32-bit integer');
  }
  // The slow derivation needs nothing below: start it before the seed check's own await, and
  // wipe its result if the check fails.
  const keyIvPromise = encrypted
    ? deriveKeyIv(options.kdf ?? (await defaultKdf()), pass, salt, rounds)
    : null;
  // Marked handled now: a KDF failure while the check below awaits must not count as unhandled
  // (Node would end the process); it is rethrown where the result is awaited.
  keyIvPromise?.catch(() => undefined);
  if (!bytesEqual(await ed25519PublicKeyFromSeed(seed), publicKey)) {
    void keyIvPromise?.then((keyIv) => keyIv.fill(0)).catch(() => undefined);
    throw new RangeError('"publicKey" is not the public key of "seed"');
  }

  // PROTOCOL.key: checkint twice, then the key as ssh-agent's format (type, pk, seed||pk,
  // comment), then padding 1, 2, 3, … to the cipher's block size.
  const blockSize = encrypted ? 16 : 8;
  const section = new SshWriter()
    .uint32(checkint)
    .uint32(checkint)
    .string('ssh-ed25519')
    .string(publicKey)
    .string(new Uint8Array([...seed, ...publicKey]))
    .string(comment)
    .bytes();
  const padLength = (blockSize - (section.length % blockSize)) % blockSize;
  const padded = new Uint8Array(section.length + padLength);
  padded.set(section);
  for (let i = 0; i < padLength; i++) padded[section.length + i] = i + 1;

  let privateSection: Uint8Array = padded;
  let kdfOptions: Uint8Array = new Uint8Array(0);
  if (keyIvPromise !== null) {
    const keyIv = await keyIvPromise;
    privateSection = await aes256Ctr(keyIv, padded);
    keyIv.fill(0);
    kdfOptions = new SshWriter().string(salt).uint32(rounds).bytes();
  }
  const file = new SshWriter()
    .raw(MAGIC)
    .string(encrypted ? 'aes256-ctr' : 'none')
    .string(encrypted ? 'bcrypt' : 'none')
    .string(kdfOptions)
    .uint32(1)
    .string(publicBlob)
    .string(privateSection)
    .bytes();
  section.fill(0);
  padded.fill(0);
  const base64 = base64Encode(file);
  const lines = base64.match(/.{1,70}/g) ?? [];
  return `${BEGIN}\n${lines.join('\n')}\n${END}\n`;
}

/** Reads the armour, insisting on the form ssh-keygen reads (sshkey.c private2_uudecode). */
function dearmor(text: string): Uint8Array {
  if (!text.includes(BEGIN)) {
    if (/-----BEGIN (RSA|EC|DSA|ENCRYPTED)? ?PRIVATE KEY-----/.test(text)) {
      throw new KeyFormatError(
        'unsupported',
        'This is a PEM (OpenSSL) private key; Keysmith reads OpenSSH-format ed25519 keys only. Convert a copy with: ssh-keygen -p -f KEYFILE (it rewrites the file in OpenSSH format).',
      );
    }
    if (/PuTTY-User-Key-File-/.test(text)) {
      throw new KeyFormatError(
        'unsupported',
        'This is a PuTTY .ppk key. Export it in OpenSSH format first: puttygen KEY.ppk -O private-openssh-new -o KEYFILE',
      );
    }
    throw invalid(`This is not an OpenSSH private key: it must start with the line ${BEGIN}`);
  }
  if (!text.startsWith(BEGIN)) {
    throw invalid(`There is text before the ${BEGIN} line: remove it.`);
  }
  if (text.includes('\r')) {
    throw invalid(
      'The key has Windows (CRLF) line endings, which ssh-keygen refuses. Save it with Unix (LF) line endings.',
    );
  }
  if (!text.startsWith(`${BEGIN}\n`)) {
    throw invalid(
      'The key is all on one line: its line breaks were lost. Copy the file again keeping its lines (ssh-keygen refuses it this way).',
    );
  }
  const endAt = text.indexOf(`\n${END}`);
  if (endAt < 0) {
    throw invalid(`The key has no ${END} line: it was cut short. Copy the whole file again.`);
  }
  const after = text.slice(endAt + 1 + END.length);
  if (after === '') {
    throw invalid(
      'The key file does not end with a newline after its END line, which ssh-keygen refuses. Add the final newline.',
    );
  }
  if (after !== '\n') {
    throw invalid(`There is text after the ${END} line: remove it.`);
  }
  const body = text.slice(BEGIN.length + 1, endAt);
  if (/[^A-Za-z0-9+/=\n]/.test(body)) {
    throw invalid(
      'The key body contains characters that are not base64 (spaces, or an edit?). Copy the file again unchanged.',
    );
  }
  const bytes = base64DecodeCanonical(body.replace(/\n/g, ''));
  if (bytes === null) {
    throw invalid(
      'The key body is not valid base64: part of it is missing or altered. Copy the file again.',
    );
  }
  return bytes;
}

/**
 * Reads an OpenSSH ed25519 private key file, decrypting it with `passphrase` when encrypted
 * (bcrypt_pbkdf through `kdf`, default in-thread). Checks everything: armour, structure,
 * cipher and KDF names, checkints, that the seed gives the public key, the padding.
 * @throws KeyFormatError: `wrong-passphrase` when the passphrase is missing or wrong,
 * `unsupported` for other key types, ciphers or KDFs, `invalid-key` for damage.
 */
export async function decodePrivateKey(
  text: string,
  options: { passphrase?: string; kdf?: Kdf } = {},
): Promise<DecodedPrivateKey> {
  if (typeof text !== 'string') throw new TypeError('"text" must be a string');
  const reader = new SshReader(dearmor(text));
  try {
    if (!bytesEqual(reader.raw(MAGIC.length, 'magic'), MAGIC)) {
      throw invalid(
        'The key does not start with "openssh-key-v1": it is damaged or not an OpenSSH key.',
      );
    }
    const cipher = reader.text('cipher name') ?? '?';
    const kdfName = reader.text('KDF name') ?? '?';
    const kdfOptions = new SshReader(reader.string('KDF options'));
    if (cipher !== 'none' && cipher !== 'aes256-ctr') {
      throw new KeyFormatError(
        'unsupported',
        `The key is encrypted with "${cipher}"; Keysmith reads "aes256-ctr" (ssh-keygen's default). Re-encrypt a copy with: ssh-keygen -p -Z aes256-ctr -f KEYFILE`,
      );
    }
    if (kdfName !== 'none' && kdfName !== 'bcrypt') {
      throw new KeyFormatError(
        'unsupported',
        `The key uses the key derivation "${kdfName}"; only "bcrypt" is supported. Re-encrypt a copy with: ssh-keygen -p -f KEYFILE`,
      );
    }
    const encrypted = cipher === 'aes256-ctr';
    if (encrypted !== (kdfName === 'bcrypt')) {
      throw invalid(
        `The key names cipher "${cipher}" with KDF "${kdfName}": the header is damaged.`,
      );
    }
    let bcrypt: { salt: Uint8Array; rounds: number } | null = null;
    if (encrypted) {
      bcrypt = {
        salt: kdfOptions.string('bcrypt salt').slice(),
        rounds: kdfOptions.uint32('bcrypt rounds'),
      };
      // bcrypt_pbkdf.c refuses an empty salt and 0 rounds; no writer leaves bytes after them.
      if (bcrypt.salt.length === 0 || bcrypt.rounds === 0 || kdfOptions.remaining !== 0) {
        throw invalid("The key's bcrypt options (salt, rounds) are damaged.");
      }
    } else if (kdfOptions.remaining !== 0) {
      throw invalid('The unencrypted key has KDF options: the header is damaged.');
    }
    const count = reader.uint32('number of keys');
    if (count !== 1) {
      throw new KeyFormatError(
        'unsupported',
        `The file holds ${count} keys; Keysmith reads files with exactly one.`,
      );
    }
    const publicBlob = reader.string('public key');
    const { type } = parsePublicKeyBlob(publicBlob);
    if (type !== 'ssh-ed25519') {
      throw new KeyFormatError(
        'unsupported',
        `This is a ${type} private key; Keysmith handles ed25519 keys only. Make one with: ssh-keygen -t ed25519`,
      );
    }
    let section = reader.string('private section');
    if (reader.remaining !== 0) {
      throw invalid(`The key has ${reader.remaining} unexpected bytes after its private section.`);
    }
    const blockSize = encrypted ? 16 : 8;
    if (section.length % blockSize !== 0) {
      throw invalid(
        `The private section is not a multiple of ${blockSize} bytes: the key is damaged.`,
      );
    }
    if (bcrypt !== null) {
      const pass = passphraseBytes(options.passphrase ?? '');
      if (pass.length === 0) {
        throw new KeyFormatError(
          'wrong-passphrase',
          'This key is encrypted: enter its passphrase.',
        );
      }
      const kdf = options.kdf ?? (await defaultKdf());
      const keyIv = await deriveKeyIv(kdf, pass, bcrypt.salt, bcrypt.rounds);
      section = await aes256Ctr(keyIv, section);
      keyIv.fill(0);
    }
    const priv = new SshReader(section);
    const check1 = priv.uint32('check value');
    const check2 = priv.uint32('check value');
    if (check1 !== check2) {
      if (encrypted) {
        throw new KeyFormatError(
          'wrong-passphrase',
          'The passphrase is wrong: the key did not decrypt. Check it and try again.',
        );
      }
      throw invalid("The key's check values differ: the private section is damaged.");
    }
    if (utf8DecodeStrict(priv.string('key type')) !== 'ssh-ed25519') {
      throw invalid('The private section does not hold an ssh-ed25519 key: the key is damaged.');
    }
    const publicKey = priv.string('public key').slice();
    const secret = priv.string('secret key');
    if (publicKey.length !== 32 || secret.length !== 64) {
      throw invalid(
        'The private key has the wrong length (PROTOCOL.key: 32-byte public, 64-byte secret).',
      );
    }
    const seed = secret.slice(0, 32);
    if (
      !bytesEqual(ed25519PublicBlob(publicKey), publicBlob) ||
      !bytesEqual(secret.subarray(32), publicKey) ||
      !bytesEqual(await ed25519PublicKeyFromSeed(seed), publicKey)
    ) {
      throw invalid('The private key does not match its public key: the file is damaged.');
    }
    const comment = priv.text('comment');
    if (comment === null) throw invalid('The key comment is not valid UTF-8.');
    const padding = priv.rest();
    if (padding.length >= blockSize || padding.some((b, i) => b !== i + 1)) {
      throw invalid("The private section's padding is not 1, 2, 3, …: the key is damaged.");
    }
    return {
      type: 'ssh-ed25519',
      seed,
      publicKey,
      comment,
      encrypted,
      rounds: bcrypt?.rounds ?? null,
      salt: bcrypt?.salt ?? null,
      checkint: check1,
    };
  } catch (error) {
    if (error instanceof TruncatedError) {
      throw invalid(`The key is cut short (it ${error.message}): copy the whole file again.`);
    }
    throw error;
  }
}

/**
 * The public key blob stored in the clear in an openssh-key-v1 file (readable without the
 * passphrase), and whether the file is encrypted: what `ssh-keygen -l` shows for a private key.
 */
export function privateKeyPublicBlob(text: string): { blob: Uint8Array; encrypted: boolean } {
  const reader = new SshReader(dearmor(text));
  try {
    if (!bytesEqual(reader.raw(MAGIC.length, 'magic'), MAGIC)) {
      throw invalid(
        'The key does not start with "openssh-key-v1": it is damaged or not an OpenSSH key.',
      );
    }
    const cipher = reader.text('cipher name');
    reader.string('KDF name');
    reader.string('KDF options');
    if (reader.uint32('number of keys') !== 1)
      throw invalid('The file does not hold exactly one key.');
    const blob = reader.string('public key').slice();
    parsePublicKeyBlob(blob, undefined, { minRsaBits: 1024 });
    return { blob, encrypted: cipher !== 'none' };
  } catch (error) {
    if (error instanceof TruncatedError) {
      throw invalid(`The key is cut short (it ${error.message}): copy the whole file again.`);
    }
    throw error;
  }
}
