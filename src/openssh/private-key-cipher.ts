/**
 * The encryption of an OpenSSH private key file (PROTOCOL.key): aes256-ctr under a key and IV
 * derived from the passphrase by bcrypt_pbkdf, with ssh-keygen's parameters.
 */
import type { Kdf } from '../crypto/kdf.ts';
import { hasLoneSurrogate, utf8Encode } from './wire.ts';

/** ssh-keygen's defaults: 16-byte salt (sshkey.c SALT_LEN), 24 rounds since OpenSSH 9.4. */
export const SALT_LENGTH = 16;
export const DEFAULT_ROUNDS = 24;
/** AES-256 key (32) + CTR initial counter block (16), PROTOCOL.key / cipher.c. */
export const KEY_IV_LENGTH = 48;

/** A copy whose buffer is a plain ArrayBuffer, as WebCrypto's BufferSource wants. */
function own(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy;
}

/** AES-256-CTR with a 128-bit big-endian counter (OpenSSH cipher-ctr.c); one call both ways. */
export async function aes256Ctr(keyIv: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  // Browsers offer crypto.subtle only in secure contexts (https, or http on localhost).
  if (typeof crypto === 'undefined' || typeof crypto.subtle === 'undefined') {
    throw new Error(
      'Passphrase encryption needs WebCrypto (crypto.subtle), which browsers offer only over https or on localhost. Open Keysmith over https.',
    );
  }
  const key = await crypto.subtle.importKey(
    'raw',
    own(keyIv.subarray(0, 32)),
    { name: 'AES-CTR' },
    false,
    ['encrypt'],
  );
  const out = await crypto.subtle.encrypt(
    { name: 'AES-CTR', counter: own(keyIv.subarray(32, 48)), length: 128 },
    key,
    own(data),
  );
  return new Uint8Array(out);
}

/** Runs the KDF for a file's key and IV, and refuses a result that is not KEY_IV_LENGTH bytes. */
export async function deriveKeyIv(
  kdf: Kdf,
  passphrase: Uint8Array,
  salt: Uint8Array,
  rounds: number,
): Promise<Uint8Array> {
  const keyIv = await kdf(passphrase, salt, rounds, KEY_IV_LENGTH);
  if (!(keyIv instanceof Uint8Array) || keyIv.length !== KEY_IV_LENGTH) {
    throw new TypeError(`the KDF must return a Uint8Array of ${KEY_IV_LENGTH} bytes`);
  }
  return keyIv;
}

/** The in-thread KDF, loaded only when a caller brings none (the page always brings one). */
export async function defaultKdf(): Promise<Kdf> {
  return (await import('../crypto/kdf.ts')).inThreadKdf;
}

/** The passphrase as the KDF takes it. @throws RangeError for an unpaired surrogate. */
export function passphraseBytes(passphrase: string): Uint8Array {
  if (typeof passphrase !== 'string') throw new TypeError('"passphrase" must be a string');
  if (hasLoneSurrogate(passphrase)) {
    throw new RangeError('"passphrase" must be valid Unicode (it has an unpaired surrogate)');
  }
  // sshkey.c hands bcrypt_pbkdf the passphrase's bytes and strlen: UTF-8, counted in bytes.
  return utf8Encode(passphrase);
}
