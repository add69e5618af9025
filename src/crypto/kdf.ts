/**
 * The key derivation function behind openssh-key-v1 encryption (PROTOCOL.key: bcrypt_pbkdf),
 * as a contract that may run off the calling thread, and its in-thread implementation.
 */
import { bcryptPbkdf } from './bcrypt-pbkdf.ts';

/**
 * bcrypt_pbkdf as an async function, so it can run off the calling thread (a Web Worker, a
 * Node worker thread). Must return `keyLength` bytes.
 */
export type Kdf = (
  passphrase: Uint8Array,
  salt: Uint8Array,
  rounds: number,
  keyLength: number,
) => Promise<Uint8Array>;

/**
 * bcrypt_pbkdf computed synchronously in this thread, wrapped in a Promise. It blocks for
 * hundreds of milliseconds, so apps pass a worker-backed Kdf (kdf-blocks-protocol.ts); this is
 * the fallback and the choice for tests.
 */
export const inThreadKdf: Kdf = (passphrase, salt, rounds, keyLength) =>
  new Promise((resolve) => {
    resolve(bcryptPbkdf(passphrase, salt, rounds, keyLength));
  });
