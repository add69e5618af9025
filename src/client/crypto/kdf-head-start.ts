import type { Kdf } from '../../crypto/kdf.ts';
import { DEFAULT_ROUNDS, KEY_IV_LENGTH, SALT_LENGTH } from '../../openssh/private-key-cipher.ts';
import { bytesEqual } from '../../crypto/bytes.ts';

/**
 * A bcrypt_pbkdf derivation started before the click that needs it: when the passphrase and
 * its confirmation agree, the form starts deriving the key file's AES key and IV with a fresh
 * salt, so that by the time the user reaches "Generate Key" the 100+ milliseconds of hashing
 * are done or under way. The same idea as the key pair made before the click; nothing leaves
 * the tab, and the salt serves one key file only.
 */
export interface KdfHeadStart {
  /** The passphrase as typed; the derivation is of its UTF-8 bytes. */
  readonly passphrase: string;
  /** Fresh and random (16 bytes, as ssh-keygen's); pass it to encodePrivateKey. */
  readonly salt: Uint8Array;
  readonly rounds: number;
  /** The 48 bytes of AES-256 key and CTR IV, once the workers are done. */
  readonly keyIv: Promise<Uint8Array>;
}

/** Starts deriving the key and IV for `passphrase` (non-empty) at ssh-keygen's 24 rounds. */
export function startKdfHeadStart(kdf: Kdf, passphrase: string): KdfHeadStart {
  if (passphrase === '') throw new RangeError('"passphrase" must not be empty');
  const salt = crypto.getRandomValues(new Uint8Array(SALT_LENGTH));
  const keyIv = kdf(new TextEncoder().encode(passphrase), salt, DEFAULT_ROUNDS, KEY_IV_LENGTH);
  // Marked handled: a failure shows when (if) the key is made, through the fallback below.
  keyIv.catch(() => undefined);
  return { passphrase, salt, rounds: DEFAULT_ROUNDS, keyIv };
}

/** Wipes an unused head start's bytes once they arrive (best effort in a GC'd language). */
export function discardKdfHeadStart(headStart: KdfHeadStart): void {
  headStart.keyIv.then(
    (bytes) => bytes.fill(0),
    () => undefined,
  );
}

/**
 * A Kdf that answers with the head start's result when asked for exactly what it derived
 * (same passphrase bytes, same salt, rounds and length), once, and asks `kdf` otherwise; so
 * a head start for another passphrase can never end up in a key file, and the result of a
 * head start whose derivation failed is derived again.
 */
export function kdfWithHeadStart(headStart: KdfHeadStart, kdf: Kdf): Kdf {
  const expected = new TextEncoder().encode(headStart.passphrase);
  let used = false;
  return async (passphrase, salt, rounds, keyLength) => {
    const matches =
      !used &&
      rounds === headStart.rounds &&
      keyLength === KEY_IV_LENGTH &&
      bytesEqual(salt, headStart.salt) &&
      bytesEqual(passphrase, expected);
    if (!matches) return kdf(passphrase, salt, rounds, keyLength);
    used = true;
    try {
      return await headStart.keyIv;
    } catch {
      return kdf(passphrase, salt, rounds, keyLength);
    }
  };
}
